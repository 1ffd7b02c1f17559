import { docker, dockerOk } from '../docker/docker-cli.js';
import { EnvironmentError } from '../errors.js';
import { LAB_LABEL, NODE_LABEL } from '../nodes/docker-label-nodes.js';
import { credentialsFromEnv, type LabCredentials } from './lab-credentials.js';

export const PG_PORT = 5432;
export const REST_PORT = 8008;
export const SSH_PORT = 22;
/** true|false: whether the node's Patroni runs with the leader-key fix (see lab-up.ts). */
export const LEADER_KEY_FIX_LABEL = 'pxchaos.patroni-leader-key-fix';

/** One lab node as Docker reports it (no secrets: JSON-safe). */
export interface LabNodeInfo {
  readonly name: string;
  readonly container: string;
  readonly running: boolean;
  readonly image: string;
  /** Patroni runs with the leader-key fix; false also for labs made before the label existed. */
  readonly leaderKeyFix: boolean;
  /** Host where the published ports listen. */
  readonly host: string;
  /** Published host ports (absent while the container is stopped). */
  readonly ports: { readonly postgres?: number; readonly rest?: number; readonly ssh?: number };
}

export interface LabInfo {
  readonly name: string;
  readonly nodes: readonly LabNodeInfo[];
  /** Every container with the lab label (node containers and anything else labelled with the lab). */
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
}

interface ContainerInspect {
  readonly Name: string;
  readonly Config: {
    readonly Image: string;
    readonly Labels?: Record<string, string>;
    readonly Env?: string[];
  };
  readonly State: { readonly Running: boolean };
  readonly NetworkSettings: {
    readonly Ports?: Record<string, { HostIp: string; HostPort: string }[] | null>;
  };
}

const labFilter = (lab: string): string[] => ['--filter', `label=${LAB_LABEL}=${lab}`];

async function listIds(kind: 'container' | 'network' | 'volume', lab: string): Promise<string[]> {
  const args =
    kind === 'container'
      ? ['ps', '-a', ...labFilter(lab), '--format', '{{.Names}}']
      : [kind, 'ls', ...labFilter(lab), '--format', '{{.Name}}'];
  const out = await dockerOk(args, { timeoutMs: 15_000 });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}

async function inspectContainers(names: readonly string[]): Promise<ContainerInspect[]> {
  if (names.length === 0) return [];
  const run = await docker(['inspect', '--type', 'container', ...names], { timeoutMs: 15_000 });
  // A container removed between ps and inspect: inspect prints what it found and exits 1.
  const parsed = JSON.parse(run.stdout || '[]') as ContainerInspect[];
  return parsed;
}

function publishedPort(c: ContainerInspect, port: number): { host: string; port: number } | undefined {
  const bindings = c.NetworkSettings.Ports?.[`${port}/tcp`] ?? [];
  const b =
    bindings.find((x) => x.HostIp === '127.0.0.1') ??
    bindings.find((x) => !x.HostIp.includes(':')) ??
    bindings[0];
  if (!b) return undefined;
  const host = b.HostIp && b.HostIp !== '0.0.0.0' && b.HostIp !== '::' ? b.HostIp : '127.0.0.1';
  return { host, port: Number(b.HostPort) };
}

function nodeInfo(c: ContainerInspect): LabNodeInfo | undefined {
  const name = c.Config.Labels?.[NODE_LABEL];
  if (!name) return undefined;
  const pg = publishedPort(c, PG_PORT);
  const rest = publishedPort(c, REST_PORT);
  const ssh = publishedPort(c, SSH_PORT);
  return {
    name,
    container: c.Name.replace(/^\//, ''),
    running: c.State.Running,
    image: c.Config.Image,
    leaderKeyFix: c.Config.Labels?.[LEADER_KEY_FIX_LABEL] === 'true',
    host: pg?.host ?? rest?.host ?? '127.0.0.1',
    ports: {
      ...(pg && { postgres: pg.port }),
      ...(rest && { rest: rest.port }),
      ...(ssh && { ssh: ssh.port }),
    },
  };
}

const byNodeName = (a: LabNodeInfo, b: LabNodeInfo): number =>
  a.name.localeCompare(b.name, 'en', { numeric: true });

/** Everything Docker holds for a lab (containers, networks, volumes with its label); empty if it does not exist. */
export async function inspectLab(lab: string): Promise<LabInfo> {
  const [containers, networks, volumes] = await Promise.all([
    listIds('container', lab),
    listIds('network', lab),
    listIds('volume', lab),
  ]);
  const nodes = (await inspectContainers(containers))
    .map(nodeInfo)
    .filter((n): n is LabNodeInfo => n !== undefined);
  return { name: lab, nodes: nodes.sort(byNodeName), containers, networks, volumes };
}

/** The lab's generated credentials, read back from a node container's environment. */
export async function labCredentials(lab: string): Promise<LabCredentials> {
  const containers = await listIds('container', lab);
  for (const c of await inspectContainers(containers)) {
    const creds = credentialsFromEnv(c.Config.Env ?? []);
    if (creds) return creds;
  }
  throw new EnvironmentError(
    `lab '${lab}' is not up (no node container with credentials): run 'pxchaos lab up'`,
  );
}
