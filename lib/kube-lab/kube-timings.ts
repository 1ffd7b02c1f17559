import { docker, dockerOk } from '../docker/docker-cli.js';
import { goDurationMs } from '../time/go-duration.js';
import { pollUntil } from '../time/poll-until.js';
import { kubectl } from './kube-lab-kubectl.js';
import { DEFAULT_KUBE_TIMINGS, describeTimings, type KubeTimings } from './kubeadm-config.js';

const CM_MANIFEST = '/etc/kubernetes/manifests/kube-controller-manager.yaml';
const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';

/** The timers in force, read from the controller-manager's static pod manifest and kubelet's config. */
export async function readKubeTimings(controlPlane: string): Promise<KubeTimings> {
  const [manifest, kubelet] = await Promise.all([
    dockerOk(['exec', controlPlane, 'cat', CM_MANIFEST], { timeoutMs: 15_000 }),
    dockerOk(['exec', controlPlane, 'cat', KUBELET_CONFIG], { timeoutMs: 15_000 }),
  ]);
  const flag = (name: string): string | undefined => new RegExp(`--${name}=(\\S+)`).exec(manifest)?.[1];
  const grace = flag('node-monitor-grace-period');
  const period = flag('node-monitor-period');
  const status = /nodeStatusUpdateFrequency:\s*(\S+)/.exec(kubelet)?.[1];
  return {
    nodeMonitorGracePeriodMs: grace ? goDurationMs(grace) : DEFAULT_KUBE_TIMINGS.nodeMonitorGracePeriodMs,
    nodeMonitorPeriodMs: period ? goDurationMs(period) : DEFAULT_KUBE_TIMINGS.nodeMonitorPeriodMs,
    nodeStatusUpdateFrequencyMs: status
      ? goDurationMs(status)
      : DEFAULT_KUBE_TIMINGS.nodeStatusUpdateFrequencyMs,
  };
}

/**
 * A reused lab gets the requested controller-manager timers by editing its static pod manifest
 * (kubelet restarts the pod); the kubelet status interval is fixed at creation.
 */
export async function applyControllerTimings(
  controlPlane: string,
  wanted: KubeTimings,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const current = await readKubeTimings(controlPlane);
  if (
    current.nodeMonitorGracePeriodMs === wanted.nodeMonitorGracePeriodMs &&
    current.nodeMonitorPeriodMs === wanted.nodeMonitorPeriodMs
  )
    return;
  progress(`updating controller-manager timers: ${describeTimings({ ...current, ...wanted })}`);
  const acquiredBefore = await leaderAcquireTime(controlPlane);
  const sec = (ms: number): string => `${Math.round(ms / 1000)}s`;
  await dockerOk(
    [
      'exec',
      controlPlane,
      'sed',
      '-i',
      '-e',
      `s/--node-monitor-grace-period=[^ "]*/--node-monitor-grace-period=${sec(wanted.nodeMonitorGracePeriodMs)}/`,
      '-e',
      `s/--node-monitor-period=[^ "]*/--node-monitor-period=${sec(wanted.nodeMonitorPeriodMs)}/`,
      CM_MANIFEST,
    ],
    { timeoutMs: 15_000 },
  );
  // The new controller-manager must be the one serving before timings are measured against it.
  await pollUntil(
    async () => {
      const ps = await docker(['exec', controlPlane, 'pgrep', '-af', 'kube-controller-manager'], {
        timeoutMs: 10_000,
      });
      const running = ps.stdout.includes(
        `--node-monitor-grace-period=${sec(wanted.nodeMonitorGracePeriodMs)}`,
      );
      if (!running) return 'waiting for kube-controller-manager to restart with the new timers';
      // Until the new process holds the leader lease (the old lease must expire first, up to
      // 15 s), nobody watches the nodes: a cut then goes unnoticed longer than the timers say.
      const acquired = await leaderAcquireTime(controlPlane);
      return acquired && acquired !== acquiredBefore
        ? true
        : 'waiting for the new kube-controller-manager to take the leader lease';
    },
    120_000,
    signal,
    progress,
  );
}

/** When the current kube-controller-manager leader took its lease (undefined when unknown). */
async function leaderAcquireTime(controlPlane: string): Promise<string | undefined> {
  const run = await kubectl(
    controlPlane,
    ['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.acquireTime}'],
    { timeoutMs: 10_000 },
  );
  return run.exitCode === 0 && run.stdout.trim() ? run.stdout.trim() : undefined;
}
