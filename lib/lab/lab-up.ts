import { dockerOk, requireDocker } from '../docker/docker-cli.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { defaultLabName, LAB_LABEL, NODE_LABEL } from '../nodes/docker-label-nodes.js';
import { assessCluster, consensusView, type ClusterAssessment } from '../sut/patroni/cluster-health.js';
import { leaderWriteProblem } from '../sut/patroni/leader-writable.js';
import {
  PatroniRest,
  type PatroniClusterView,
  type PatroniNodeEndpoint,
} from '../sut/patroni/patroni-rest.js';
import {
  checkSyncReplication,
  describeSyncProblem,
  syncKeyResetCommand,
} from '../sut/patroni/sync-replication.js';
import { formatDuration } from '../time/duration.js';
import { CREDENTIAL_ENV, generateCredentials, PG_SUPERUSER, REST_USER } from './lab-credentials.js';
import { labDown } from './lab-down.js';
import { nodeNames, patroniEndpoints } from './lab-endpoints.js';
import { ensureLabImage } from './lab-image.js';
import {
  inspectLab,
  labCredentials,
  LEADER_KEY_FIX_LABEL,
  type LabInfo,
  type LabNodeInfo,
} from './lab-inspect.js';
import { startLabNodeContainer } from './lab-node-container.js';
import { ensureLabSshKey } from './lab-ssh-key.js';
import { DEFAULT_TIMINGS, timingsInSeconds, type PatroniTimings } from './lab-timings.js';
import { deadlineSignal } from '../time/deadline-signal.js';

export interface LabUpOptions {
  /** Lab name (containers `<name>-n1`...); default PXCHAOS_LAB or "pxchaos". */
  readonly name?: string;
  readonly nodes?: 3 | 5;
  /** Patroni timings; missing ones take DEFAULT_TIMINGS. Applied to a reused lab too (dynamic config). */
  readonly timings?: Partial<PatroniTimings>;
  /** Patroni synchronous_mode_strict (default false: the primary falls back to async when no standby is left). */
  readonly syncStrict?: boolean;
  /**
   * Run Patroni with upstream's etcd3 leader-key fix (default true). false = Debian's 3.0.2 as shipped,
   * where a stale leader can take the key back and acknowledged writes are lost (docs/lab.md).
   * Changing it recreates the lab.
   */
  readonly leaderKeyFix?: boolean;
  readonly progress?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** How long to wait for a leader and a synchronous standby (default 300 s: a cold start on a busy machine). */
  readonly readyTimeoutMs?: number;
  /** Host address of the published ports (default 127.0.0.1). */
  readonly publishHost?: string;
}

/** A lab that is up: JSON-safe (no passwords; read them with labCredentials()). */
export interface Lab {
  readonly name: string;
  readonly image: string;
  readonly nodes: readonly LabNodeInfo[];
  readonly leader: string;
  readonly syncStandby: string;
  /** True when an existing healthy lab was reused. */
  readonly reused: boolean;
  /** SSH private key accepted by every node as root. */
  readonly sshKeyPath: string;
  readonly timings: PatroniTimings;
  readonly leaderKeyFix: boolean;
  readonly durationMs: number;
}

const REUSE_READY_MS = 60_000;

/**
 * Brings a lab up, or reuses a healthy one (same image, same node count), and returns once it has a
 * running leader and a synchronous standby with every node a running member.
 */
export async function labUp(options: LabUpOptions = {}): Promise<Lab> {
  const started = performance.now();
  const name = options.name ?? defaultLabName();
  const count = options.nodes ?? 3;
  const progress = options.progress ?? ((): void => undefined);
  const signal = options.signal ?? new AbortController().signal;
  if (!/^[a-z0-9][a-z0-9_.-]{0,40}$/.test(name))
    throw new UsageError(`lab name '${name}': use lowercase letters, digits, '.', '_' or '-'`);
  if (count !== 3 && count !== 5) throw new UsageError(`--nodes must be 3 or 5, not ${String(count)}`);
  const timings: PatroniTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  timingsInSeconds(timings);
  const syncStrict = options.syncStrict ?? false;
  const leaderKeyFix = options.leaderKeyFix ?? true;

  await requireDocker();
  const image = await ensureLabImage(progress);
  const sshKey = await ensureLabSshKey(name);
  const expected = nodeNames(count);

  let reused = false;
  let ready: ClusterAssessment | undefined;
  const existing = await inspectLab(name);
  if (existing.containers.length > 0 || existing.networks.length > 0 || existing.volumes.length > 0) {
    const mismatch = reuseMismatch(existing, image, expected, leaderKeyFix);
    if (mismatch) {
      progress(`lab ${name} exists but ${mismatch}: recreating it`);
      await labDown(name, progress);
    } else {
      const stopped = existing.nodes.filter((n) => !n.running).map((n) => n.container);
      if (stopped.length) {
        progress(`starting stopped containers: ${stopped.join(', ')}`);
        await dockerOk(['start', ...stopped], { timeoutMs: 120_000, signal });
      }
      ready = await waitReady(name, expected, progress, deadlineSignal(REUSE_READY_MS, signal)).catch(
        (err: unknown) => {
          signal.throwIfAborted();
          progress(`lab ${name} did not become healthy (${(err as Error).message}): recreating it`);
          return undefined;
        },
      );
      if (ready) reused = true;
      else await labDown(name, progress);
    }
  }

  if (!ready) {
    await createLab(
      name,
      image,
      expected,
      timings,
      { syncStrict, leaderKeyFix },
      sshKey.publicKey,
      options.publishHost,
      progress,
      signal,
    );
    const timeout = options.readyTimeoutMs ?? 300_000;
    ready = await waitReady(name, expected, progress, deadlineSignal(timeout, signal)).catch(
      (err: unknown) => {
        signal.throwIfAborted();
        throw new EnvironmentError(
          `lab ${name} did not get a leader and a synchronous standby within ${formatDuration(timeout)}: ${(err as Error).message} ` +
            `(logs: docker exec ${name}-n1 tail /var/log/pxlab/patroni.log)`,
        );
      },
    );
  } else {
    await applyTimings(name, timings, syncStrict, progress, signal);
    await ensureSyncReplication(name, progress, signal);
  }

  const info = await inspectLab(name);
  const lab: Lab = {
    name,
    image,
    nodes: info.nodes,
    leader: ready.leader ?? '',
    syncStandby: ready.syncStandby ?? '',
    reused,
    sshKeyPath: sshKey.keyPath,
    timings,
    leaderKeyFix,
    durationMs: Math.round(performance.now() - started),
  };
  progress(
    `lab ${name} ${reused ? 'reused' : 'up'} in ${formatDuration(lab.durationMs)}: leader ${lab.leader}, sync standby ${lab.syncStandby}`,
  );
  return lab;
}

function reuseMismatch(
  existing: LabInfo,
  image: string,
  expected: readonly string[],
  leaderKeyFix: boolean,
): string | undefined {
  const names = existing.nodes.map((n) => n.name);
  if (existing.containers.length !== existing.nodes.length) return 'it has containers that are not lab nodes';
  if (names.join(',') !== expected.join(','))
    return `it has nodes [${names.join(', ')}], not [${expected.join(', ')}]`;
  const stale = existing.nodes.find((n) => n.image !== image);
  if (stale) return `${stale.container} runs ${stale.image}, not the current ${image}`;
  const other = existing.nodes.find((n) => n.leaderKeyFix !== leaderKeyFix);
  if (other)
    return `${other.container} runs Patroni ${other.leaderKeyFix ? 'with' : 'without'} the leader-key fix`;
  return undefined;
}

async function createLab(
  name: string,
  image: string,
  nodes: readonly string[],
  timings: PatroniTimings,
  patroni: { readonly syncStrict: boolean; readonly leaderKeyFix: boolean },
  publicKey: string,
  publishHost: string | undefined,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const network = `${name}-net`;
  const credentials = generateCredentials();
  const t = timingsInSeconds(timings);
  progress(`creating lab ${name}: ${nodes.length} nodes from ${image}`);
  try {
    await dockerOk(['network', 'create', '--label', `${LAB_LABEL}=${name}`, network], {
      timeoutMs: 30_000,
      signal,
    });
    // Labelled named volumes, created before the containers so Docker does not create unlabelled ones.
    await createVolumes(name, nodes, signal);
    await Promise.all(
      nodes.map((node) =>
        startLabNodeContainer({
          image,
          container: `${name}-${node}`,
          node,
          network,
          volume: `${name}-${node}-disk`,
          labels: {
            [LAB_LABEL]: name,
            [NODE_LABEL]: node,
            [LEADER_KEY_FIX_LABEL]: String(patroni.leaderKeyFix),
          },
          publishHost,
          env: {
            PXLAB_NODE: node,
            PXLAB_MEMBERS: nodes.join(','),
            PXLAB_SCOPE: name,
            [CREDENTIAL_ENV.pgPassword]: credentials.pgPassword,
            [CREDENTIAL_ENV.replicationPassword]: credentials.replicationPassword,
            [CREDENTIAL_ENV.restPassword]: credentials.restPassword,
            PXLAB_TTL: String(t.ttl),
            PXLAB_LOOP_WAIT: String(t.loopWait),
            PXLAB_RETRY_TIMEOUT: String(t.retryTimeout),
            PXLAB_PRIMARY_START_TIMEOUT: String(t.primaryStartTimeout),
            PXLAB_SYNC_STRICT: String(patroni.syncStrict),
            PXLAB_LEADER_KEY_FIX: String(patroni.leaderKeyFix),
            PXLAB_AUTHORIZED_KEYS: publicKey,
          },
        }).then(() => progress(`${node}: container started, Patroni starting`)),
      ),
    );
  } catch (err) {
    progress(`creating lab ${name} failed: removing what was created`);
    await labDown(name).catch(() => undefined);
    throw err;
  }
}

async function createVolumes(name: string, nodes: readonly string[], signal: AbortSignal): Promise<void> {
  for (const node of nodes) {
    await dockerOk(
      [
        'volume',
        'create',
        '--label',
        `${LAB_LABEL}=${name}`,
        '--label',
        `${NODE_LABEL}=${node}`,
        `${name}-${node}-disk`,
      ],
      {
        timeoutMs: 30_000,
        signal,
      },
    );
  }
}

/** Polls the nodes' REST APIs until the cluster is healthy; reports each change of the problem list. */
export async function waitReady(
  name: string,
  expected: readonly string[],
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<ClusterAssessment> {
  let last = '';
  let assessment: ClusterAssessment = { healthy: false, problems: ['not checked yet'] };
  for (;;) {
    if (signal.aborted) throw new Error(assessment.problems.join('; '));
    const info = await inspectLab(name);
    const endpoints = patroniEndpoints(info);
    const rest = new PatroniRest(endpoints);
    const view = await firstView(rest, signal);
    assessment = assessCluster(view, expected);
    if (assessment.healthy) {
      const problem = await labLeaderWriteProblem(name, endpoints, assessment.leader ?? '', signal);
      if (!problem) return assessment;
      assessment = { ...assessment, healthy: false, problems: [problem] };
    }
    const line = assessment.problems.join('; ');
    if (line !== last) progress(`waiting: ${line}`);
    last = line;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function labLeaderWriteProblem(
  name: string,
  endpoints: readonly PatroniNodeEndpoint[],
  leader: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const e = endpoints.find((x) => x.name === leader);
  if (!e) return `leader ${leader}: no published Postgres port`;
  const { pgPassword } = await labCredentials(name);
  const endpoint = {
    host: e.host,
    port: e.pgPort,
    user: PG_SUPERUSER,
    password: pgPassword,
    database: 'postgres',
  };
  return leaderWriteProblem(leader, endpoint, signal);
}

/** The DCS view the nodes' REST APIs agree on (see consensusView). */
export async function firstView(
  rest: PatroniRest,
  signal?: AbortSignal,
): Promise<PatroniClusterView | undefined> {
  return consensusView(
    await Promise.all(rest.endpoints.map((e) => rest.cluster(e.name, signal).catch(() => undefined))),
  );
}

/** A reused lab must replicate synchronously for real (Patroni 3.0.2 can lose it: see sync-replication.ts). */
async function ensureSyncReplication(
  name: string,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const info = await inspectLab(name);
  const rest = new PatroniRest(patroniEndpoints(info));
  const check = await checkSyncReplication(rest, await firstView(rest, signal), signal);
  if (!check || check.ok) return;
  progress(`${describeSyncProblem(check)}: resetting the DCS /sync key so Patroni re-assigns it`);
  const leader = info.nodes.find((n) => n.name === check.leader);
  if (!leader) return;
  await dockerOk(['exec', leader.container, ...syncKeyResetCommand(name)], { timeoutMs: 15_000, signal });
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const again = await checkSyncReplication(rest, await firstView(rest, signal), signal);
    if (again?.ok) return;
  }
  throw new EnvironmentError(
    `lab ${name}: synchronous replication did not come back after resetting the /sync key`,
  );
}

/** Brings Patroni's dynamic config in line with the requested timings (a reused lab may differ). */
async function applyTimings(
  name: string,
  timings: PatroniTimings,
  syncStrict: boolean,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const info = await inspectLab(name);
  const creds = await labCredentials(name);
  const rest = new PatroniRest(patroniEndpoints(info), {
    auth: { username: REST_USER, password: creds.restPassword },
    timeoutMs: 5000,
  });
  const node = rest.endpoints[0]?.name;
  if (!node) return;
  const current = await rest.request<Record<string, unknown>>(node, '/config', { signal });
  if (!current.ok || current.status !== 200 || typeof current.body !== 'object') return;
  const t = timingsInSeconds(timings);
  const wanted: Record<string, number | boolean> = {
    ttl: t.ttl,
    loop_wait: t.loopWait,
    retry_timeout: t.retryTimeout,
    primary_start_timeout: t.primaryStartTimeout,
    synchronous_mode_strict: syncStrict,
  };
  const body = current.body;
  const changes = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => body[k] !== v));
  if (Object.keys(changes).length === 0) return;
  progress(`updating Patroni dynamic config: ${JSON.stringify(changes)}`);
  const res = await rest.request(node, '/config', { method: 'PATCH', body: changes, signal });
  if (!res.ok || res.status !== 200)
    throw new EnvironmentError(`PATCH /config on ${node} failed: ${res.ok ? res.status : res.error}`);
}
