import { defaultLabName } from '../nodes/docker-label-nodes.js';
import { DockerExecNode } from '../nodes/docker-exec-node.js';
import { assessCluster } from '../sut/patroni/cluster-health.js';
import { PatroniRest } from '../sut/patroni/patroni-rest.js';
import { nodeNames, patroniEndpoints } from './lab-endpoints.js';
import { inspectLab } from './lab-inspect.js';
import { firstView } from './lab-up.js';

export interface LabNodeStatus {
  readonly name: string;
  readonly container: string;
  readonly running: boolean;
  /** Patroni role (leader, sync_standby, replica) from the DCS view; absent when not a member. */
  readonly role?: string;
  readonly state?: string;
  readonly timeline?: number;
  readonly lagBytes?: number | 'unknown';
  /** pxlab-agent status: running | stopped | unknown. */
  readonly agent: string;
  /** pxlab-drive status: healthy | hung | error | unmounted | unknown. */
  readonly drive: string;
  readonly ports: { readonly postgres?: number; readonly rest?: number; readonly ssh?: number };
  readonly host: string;
}

/** The lab as `pxchaos lab status --json` prints it: JSON-serializable, without secrets. */
export interface LabStatus {
  readonly name: string;
  readonly exists: boolean;
  readonly healthy: boolean;
  readonly leader?: string;
  readonly syncStandby?: string;
  readonly timeline?: number;
  readonly problems: readonly string[];
  /** Patroni's dynamic timings in seconds, as the DCS holds them. */
  readonly patroni?: {
    readonly ttl?: number;
    readonly loopWait?: number;
    readonly retryTimeout?: number;
    readonly primaryStartTimeout?: number;
    readonly synchronousModeStrict?: boolean;
  };
  readonly nodes: readonly LabNodeStatus[];
}

async function nodeCommand(container: string, argv: string[]): Promise<string> {
  const node = new DockerExecNode(container, container, { defaultTimeoutMs: 5000 });
  const r = await node.exec(argv, { check: false }).catch(() => undefined);
  return r?.stdout.trim().split('\n').at(-1) || 'unknown';
}

export async function labStatus(name: string = defaultLabName(), signal?: AbortSignal): Promise<LabStatus> {
  const info = await inspectLab(name);
  if (info.nodes.length === 0) {
    return {
      name,
      exists: info.containers.length + info.networks.length + info.volumes.length > 0,
      healthy: false,
      problems: ['lab is not up'],
      nodes: [],
    };
  }
  const rest = new PatroniRest(patroniEndpoints(info));
  const [view, config, probes] = await Promise.all([
    firstView(rest, signal),
    rest.endpoints[0]
      ? Promise.any(
          rest.endpoints.map(async (e) => {
            const a = await rest.request<Record<string, unknown>>(e.name, '/config', { signal });
            if (a.ok && a.status === 200) return a.body;
            throw new Error('no config');
          }),
        ).catch(() => undefined)
      : Promise.resolve(undefined),
    Promise.all(
      info.nodes.map(async (n) =>
        n.running
          ? {
              agent: await nodeCommand(n.container, ['pxlab-agent', 'status']),
              drive: await nodeCommand(n.container, ['pxlab-drive', 'status']),
            }
          : { agent: 'unknown', drive: 'unknown' },
      ),
    ),
  ]);
  const expected = nodeNames(info.nodes.length);
  const assessment = assessCluster(view, expected);
  const problems = [...assessment.problems];
  const nodes: LabNodeStatus[] = info.nodes.map((n, i) => {
    const m = view?.members.find((x) => x.name === n.name);
    const probe = probes[i] ?? { agent: 'unknown', drive: 'unknown' };
    if (!n.running) problems.push(`${n.name}: container ${n.container} is not running`);
    if (n.running && probe.agent !== 'running') problems.push(`${n.name}: Patroni is ${probe.agent}`);
    if (n.running && probe.drive !== 'healthy') problems.push(`${n.name}: drive is ${probe.drive}`);
    return {
      name: n.name,
      container: n.container,
      running: n.running,
      ...(m && { role: m.role, state: m.state }),
      ...(m?.timeline !== undefined && { timeline: m.timeline }),
      ...(m &&
        m.role !== 'leader' &&
        m.lag !== undefined && { lagBytes: typeof m.lag === 'number' ? m.lag : ('unknown' as const) }),
      agent: probe.agent,
      drive: probe.drive,
      ports: n.ports,
      host: n.host,
    };
  });
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    name,
    exists: true,
    healthy: problems.length === 0,
    ...(assessment.leader && { leader: assessment.leader }),
    ...(assessment.syncStandby && { syncStandby: assessment.syncStandby }),
    ...(assessment.timeline !== undefined && { timeline: assessment.timeline }),
    problems,
    ...(config && {
      patroni: {
        ttl: num(config.ttl),
        loopWait: num(config.loop_wait),
        retryTimeout: num(config.retry_timeout),
        primaryStartTimeout: num(config.primary_start_timeout),
        synchronousModeStrict: config.synchronous_mode_strict === true,
      },
    }),
    nodes,
  };
}
