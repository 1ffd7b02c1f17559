import { dockerOk } from '../docker/docker-cli.js';
import { KIND_ROLE_LABEL, KUBE_LAB_LABEL, POSTGRES_IMAGE_LABEL, SEED_LABEL } from './kube-lab-layout.js';

export interface KubeLabContainer {
  readonly name: string;
  /** kind.x-k8s.io role label: control-plane or worker (as found; another tool may label differently). */
  readonly role: string;
  readonly running: boolean;
  readonly image: string;
  readonly ip: string;
  /** The image seed volume it started from. */
  readonly seedVolume: string;
  readonly postgresImage: string;
}

export interface KubeLabResources {
  readonly containers: readonly KubeLabContainer[];
  readonly volumes: readonly string[];
  readonly networks: readonly string[];
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** Everything Docker holds for a kube lab, found by its label (also what `down` removes). */
export async function inspectKubeLab(name: string): Promise<KubeLabResources> {
  const filter = ['--filter', `label=${KUBE_LAB_LABEL}=${name}`];
  const [ids, volumes, networks] = await Promise.all([
    dockerOk(['ps', '-aq', ...filter], { timeoutMs: 20_000 }),
    dockerOk(['volume', 'ls', '-q', ...filter], { timeoutMs: 20_000 }),
    dockerOk(['network', 'ls', '-q', '--format', '{{.Name}}', ...filter], { timeoutMs: 20_000 }),
  ]);
  const containers: KubeLabContainer[] = [];
  if (lines(ids).length) {
    const format = `{{.Name}}\t{{index .Config.Labels "${KIND_ROLE_LABEL}"}}\t{{.State.Running}}\t{{.Config.Image}}\t{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}\t{{index .Config.Labels "${SEED_LABEL}"}}\t{{index .Config.Labels "${POSTGRES_IMAGE_LABEL}"}}`;
    const out = await dockerOk(['inspect', '--format', format, ...lines(ids)], { timeoutMs: 20_000 });
    for (const line of lines(out)) {
      const [cname = '', role = '', running = '', image = '', ip = '', seedVolume = '', postgresImage = ''] =
        line.split('\t');
      containers.push({
        name: cname.replace(/^\//, ''),
        role,
        running: running === 'true',
        image,
        ip: ip.trim(),
        seedVolume,
        postgresImage,
      });
    }
  }
  containers.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { containers, volumes: lines(volumes), networks: lines(networks) };
}

/** Names of every kube lab on this Docker engine. */
export async function listKubeLabs(): Promise<string[]> {
  const out = await dockerOk(
    ['ps', '-a', '--filter', `label=${KUBE_LAB_LABEL}`, '--format', `{{.Label "${KUBE_LAB_LABEL}"}}`],
    { timeoutMs: 20_000 },
  );
  return [...new Set(lines(out))].sort();
}

/** The PostgreSQL image a kube lab's nodes hold (their label); undefined for a lab made before the label. */
export async function kubeLabPostgresImage(name: string): Promise<string | undefined> {
  const { containers } = await inspectKubeLab(name);
  return containers.find((c) => c.postgresImage)?.postgresImage;
}
