import { docker, dockerOk, requireDocker } from '../docker/docker-cli.js';
import { EnvironmentError } from '../errors.js';
import { DockerExecNode } from '../nodes/docker-exec-node.js';
import { formatDuration } from '../time/duration.js';
import { pollUntil } from '../time/poll-until.js';
import { ensureGlusterStorage } from './gluster-storage.js';
import { ensureKubeBinaries } from './kube-binaries.js';
import { ensureKubeImages, type KubeImages } from './kube-images.js';
import { ensureKubeLabSshKey, writeKubeLabAccess, type KubeLabAccessFiles } from './kube-lab-access.js';
import { kubeLabDown } from './kube-lab-down.js';
import { inspectKubeLab, type KubeLabResources } from './kube-lab-inspect.js';
import { kubeNodes } from './kube-lab-kubectl.js';
import {
  KUBE_LAB_LABEL,
  KUBE_LAB_SUBNET_PREFIX,
  kubeLabLayout,
  podRoutes,
  type KubeLabLayout,
} from './kube-lab-layout.js';
import { applyControllerTimings } from './kube-timings.js';
import {
  DEFAULT_KUBE_TIMINGS,
  initConfig,
  joinConfig,
  newBootstrapToken,
  type KubeTimings,
} from './kubeadm-config.js';
import { startNodeContainer } from './kube-node-container.js';

export interface KubeLabUpOptions {
  readonly name: string;
  readonly workers: number;
  readonly timings?: Partial<KubeTimings>;
  /** Gluster volumes / PVs to pre-create (default 2). */
  readonly volumes?: number;
  /** Size of each worker's sparse brick file (default 4G). */
  readonly brickSize?: string;
  readonly kubeconfigOut?: string;
  readonly progress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface KubeLabUp {
  readonly name: string;
  readonly layout: KubeLabLayout;
  readonly images: KubeImages;
  readonly access: KubeLabAccessFiles;
  /** created: built from nothing; reused: a healthy lab as it was; repaired: stopped nodes restarted. */
  readonly outcome: 'created' | 'reused' | 'repaired';
  readonly timings: KubeTimings;
  readonly durationMs: number;
}

const REPAIR_READY_MS = 120_000;

/**
 * Brings a kube lab up (1 control plane + N workers, GlusterFS storage), reusing a healthy one,
 * repairing one whose containers stopped, or recreating one that cannot be repaired; returns when
 * every node is Ready and every Gluster brick is online.
 */
export async function kubeLabUp(options: KubeLabUpOptions): Promise<KubeLabUp> {
  const started = performance.now();
  const progress = options.progress ?? ((): void => undefined);
  const signal = options.signal ?? new AbortController().signal;
  const timings: KubeTimings = { ...DEFAULT_KUBE_TIMINGS, ...options.timings };
  const volumes = options.volumes ?? 2;
  let layout = kubeLabLayout(options.name, options.workers);
  await requireDocker();
  const binaries = await ensureKubeBinaries(progress, signal);
  const images = await ensureKubeImages(binaries, progress);

  let outcome: KubeLabUp['outcome'] | undefined;
  const existing = await inspectKubeLab(layout.name);
  if (existing.containers.length || existing.volumes.length || existing.networks.length) {
    const mismatch = reuseMismatch(existing, layout, images);
    if (mismatch) {
      progress(`kube lab ${layout.name} exists but ${mismatch}: recreating it`);
      await kubeLabDown(layout.name, progress);
    } else {
      const stopped = existing.containers.filter((c) => !c.running).map((c) => c.name);
      if (stopped.length) {
        progress(`repairing: starting stopped node containers ${stopped.join(', ')}`);
        await dockerOk(['start', ...stopped], { timeoutMs: 120_000, signal });
      }
      layout = layoutOf(existing, layout);
      const healthy = await waitHealthy(
        layout,
        stopped.length ? REPAIR_READY_MS : 15_000,
        progress,
        signal,
      ).then(
        () => true,
        (err: unknown) => {
          signal.throwIfAborted();
          progress(`kube lab ${layout.name} is not healthy (${(err as Error).message}): recreating it`);
          return false;
        },
      );
      if (healthy) outcome = stopped.length ? 'repaired' : 'reused';
      else await kubeLabDown(layout.name, progress);
    }
  }
  if (!outcome) {
    // After any down above: a down removes the lab's state dir, this key with it.
    const key = await ensureKubeLabSshKey(layout.name);
    layout = await createCluster(
      options.name,
      options.workers,
      images,
      key.publicKey,
      timings,
      options.brickSize ?? '4G',
      progress,
      signal,
    );
    outcome = 'created';
  }
  await applyControllerTimings(layout.controlPlane.name, timings, progress, signal);
  await ensureGlusterStorage(
    {
      controlPlane: layout.controlPlane.name,
      workers: layout.workers.map((w) => ({ node: new DockerExecNode(w.name, w.name), ip: w.ip })),
      volumes,
    },
    progress,
    signal,
  );
  const access = await writeKubeLabAccess(layout, options.kubeconfigOut);
  const durationMs = Math.round(performance.now() - started);
  progress(
    `kube lab ${layout.name} ${outcome} in ${formatDuration(durationMs)}: ${layout.nodes.length} nodes Ready, kubeconfig ${access.kubeconfig}`,
  );
  return { name: layout.name, layout, images, access, outcome, timings, durationMs };
}

function reuseMismatch(
  existing: KubeLabResources,
  layout: KubeLabLayout,
  images: KubeImages,
): string | undefined {
  const names = existing.containers.map((c) => c.name);
  const expected = layout.nodes.map((n) => n.name);
  if (names.join(',') !== expected.join(','))
    return `it has nodes [${names.join(', ')}], not [${expected.join(', ')}]`;
  const stale = existing.containers.find((c) => c.image !== images.node);
  if (stale) return `${stale.name} runs ${stale.image}, not the current ${images.node}`;
  const reseed = existing.containers.find((c) => c.seedVolume !== images.seedVolume);
  if (reseed)
    return `${reseed.name} holds images from ${reseed.seedVolume || 'an unknown seed'}, not ${images.seedVolume}`;
  const unlabelled = existing.containers.find((c) => c.postgresImage !== images.postgres);
  if (unlabelled)
    return `${unlabelled.name} is labelled with PostgreSQL image ${unlabelled.postgresImage || '(none)'}, not ${images.postgres}`;
  return undefined;
}

/** The layout of an existing lab: its subnet may have been moved on at creation (overlap). */
function layoutOf(existing: KubeLabResources, fallback: KubeLabLayout): KubeLabLayout {
  for (let attempt = 0; attempt < 40; attempt++) {
    const candidate = kubeLabLayout(fallback.name, fallback.workers.length, attempt);
    const ips = new Map(existing.containers.map((c) => [c.name, c.ip]));
    if (candidate.nodes.every((n) => !ips.get(n.name) || ips.get(n.name) === n.ip)) return candidate;
  }
  return fallback;
}

/** Every container running, every node Ready, every brick online. */
async function waitHealthy(
  layout: KubeLabLayout,
  timeoutMs: number,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  await pollUntil(
    async () => {
      const nodes = await kubeNodes(layout.controlPlane.name, signal).catch(() => undefined);
      if (!nodes) return 'waiting for the API server';
      const notReady = layout.nodes.filter((n) => !nodes.find((k) => k.name === n.name)?.ready);
      if (notReady.length) return `waiting for nodes Ready: ${notReady.map((n) => n.name).join(', ')}`;
      for (const w of layout.workers) {
        const brick = await new DockerExecNode(w.name, w.name).exec(['pxkube-brick', 'status'], {
          timeoutMs: 15_000,
          check: false,
        });
        if (brick.exitCode !== 0) return `${w.name}: brick ${brick.stdout.trim() || brick.stderr.trim()}`;
      }
      return true;
    },
    timeoutMs,
    signal,
    (state) => progress(state),
  );
}

async function createCluster(
  name: string,
  workers: number,
  images: KubeImages,
  publicKey: string,
  timings: KubeTimings,
  brickSize: string,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<KubeLabLayout> {
  let layout = kubeLabLayout(name, workers);
  try {
    layout = await createNetwork(name, workers, signal);
    progress(`creating kube lab ${name}: ${layout.nodes.length} node containers on ${layout.subnet}`);
    await Promise.all(
      layout.nodes.map((node) =>
        startNodeContainer(
          {
            lab: name,
            node,
            image: images.node,
            network: layout.network,
            seedVolume: images.seedVolume,
            postgresImage: images.postgres,
            authorizedKey: publicKey,
            routes: podRoutes(layout, node),
            brickSize,
          },
          signal,
        ),
      ),
    );
    await pollUntil(
      async () => {
        const waiting: string[] = [];
        for (const n of layout.nodes) {
          const logs = await docker(['logs', n.name], { timeoutMs: 15_000 });
          if (/pxkube-entrypoint.*ready for kubeadm/.test(logs.stdout + logs.stderr)) continue;
          const inspect = await docker(['inspect', '--format', '{{.State.Running}}', n.name], {
            timeoutMs: 15_000,
          });
          if (inspect.stdout.trim() !== 'true')
            throw new EnvironmentError(
              `node ${n.name} stopped during start-up: ${(logs.stdout + logs.stderr).trim().split('\n').slice(-3).join(' | ')}`,
            );
          waiting.push(n.name);
        }
        return waiting.length ? `node start-up: waiting for ${waiting.join(', ')}` : true;
      },
      180_000,
      signal,
      progress,
    );
    const token = newBootstrapToken();
    const cp = layout.controlPlane;
    progress(`kubeadm init on ${cp.name}`);
    await writeNodeFile(cp.name, '/kind/kubeadm.conf', initConfig(layout, token, timings));
    await kubeadm(
      cp.name,
      [
        'init',
        '--config',
        '/kind/kubeadm.conf',
        '--skip-phases=preflight,addon/coredns',
        '--skip-token-print',
      ],
      progress,
      signal,
    );
    progress(`joining ${layout.workers.length} workers`);
    await Promise.all(
      layout.workers.map(async (w) => {
        await writeNodeFile(w.name, '/kind/kubeadm.conf', joinConfig(layout, w, token));
        await kubeadm(
          w.name,
          ['join', '--config', '/kind/kubeadm.conf', '--skip-phases=preflight'],
          progress,
          signal,
        );
        progress(`${w.name} joined`);
      }),
    );
    await waitHealthy(layout, 240_000, progress, signal);
    return layout;
  } catch (err) {
    progress(`creating kube lab ${name} failed: removing what was created`);
    await kubeLabDown(name).catch(() => undefined);
    throw err;
  }
}

/** The lab's Docker network with a subnet of its own; moves on when Docker reports an overlap. */
async function createNetwork(name: string, workers: number, signal: AbortSignal): Promise<KubeLabLayout> {
  let lastRefusal = '';
  for (let attempt = 0; attempt < 40; attempt++) {
    const layout = kubeLabLayout(name, workers, attempt);
    const run = await docker(
      [
        'network',
        'create',
        '--subnet',
        layout.subnet,
        '--label',
        `${KUBE_LAB_LABEL}=${name}`,
        layout.network,
      ],
      { timeoutMs: 30_000, signal },
    );
    if (run.exitCode === 0) return layout;
    if (!/overlap/i.test(run.stderr))
      throw new Error(`docker network create ${layout.network}: ${run.stderr.trim()}`);
    lastRefusal = run.stderr.trim();
  }
  throw new EnvironmentError(
    `no free ${KUBE_LAB_SUBNET_PREFIX}.x.0/24 subnet for kube lab ${name}'s network after 40 tries ` +
      `(Docker said: ${lastRefusal}); \`docker network ls\` shows which networks hold that range`,
  );
}

async function writeNodeFile(container: string, path: string, content: string): Promise<void> {
  await dockerOk(
    ['exec', '-i', container, 'sh', '-c', 'mkdir -p "$(dirname "$1")" && cat >"$1"', 'write', path],
    {
      stdin: content,
      timeoutMs: 15_000,
    },
  );
}

async function kubeadm(
  container: string,
  args: readonly string[],
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const run = await docker(['exec', container, 'kubeadm', ...args], {
    timeoutMs: 600_000,
    signal,
    onLine: (line) => {
      if (/^\[[a-z-]+\]/.test(line) && !/certs|kubeconfig/.test(line)) progress(`${container}: ${line}`);
    },
  });
  if (run.exitCode !== 0) {
    const tail = (run.stderr || run.stdout).trim().split('\n').slice(-4).join(' | ');
    throw new EnvironmentError(
      `kubeadm ${args[0] ?? ''} on ${container} failed: ${tail} (node logs: docker exec ${container} tail /var/log/pxkube/kubelet.log)`,
    );
  }
}
