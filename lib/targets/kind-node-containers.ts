import { docker } from '../docker/docker-cli.js';
import { EnvironmentError } from '../errors.js';
import { KIND_CLUSTER_LABEL, KIND_ROLE_LABEL, KUBE_LAB_LABEL } from '../kube-lab/kube-lab-layout.js';

/** One node container of a kind cluster (or of a kube lab, which carries kind's labels). */
export interface KindNodeContainer {
  readonly name: string;
  /** kind's role label: control-plane or worker. */
  readonly role: string;
  /** `pxchaos.kube-lab` label: the kube lab it belongs to, '' for a real kind cluster. */
  readonly kubeLab: string;
  /** Docker's state: running, exited, paused, … */
  readonly state: string;
}

/** Node containers labelled `io.x-k8s.kind.cluster=<cluster>`, running or not, sorted by name. */
export async function findKindNodeContainers(
  cluster: string,
  signal?: AbortSignal,
): Promise<KindNodeContainer[]> {
  const run = await docker(
    [
      'ps',
      '-a',
      '--filter',
      `label=${KIND_CLUSTER_LABEL}=${cluster}`,
      '--format',
      `{{.Names}}\t{{.Label "${KIND_ROLE_LABEL}"}}\t{{.Label "${KUBE_LAB_LABEL}"}}\t{{.State}}`,
    ],
    { timeoutMs: 15_000, ...(signal && { signal }) },
  );
  if (run.exitCode !== 0)
    throw new EnvironmentError(`docker ps failed: ${run.stderr.trim().split('\n')[0] ?? ''}`);
  return run.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [name = '', role = '', kubeLab = '', state = ''] = line.trim().split('\t');
      return { name, role, kubeLab, state };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}
