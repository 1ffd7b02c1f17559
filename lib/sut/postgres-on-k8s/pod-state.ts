import type { CoreV1Event, V1ContainerStatus, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { isPodServing } from '../../k8s/ready-pod.js';

/**
 * One line saying where a pod is on its way to Ready, the way `kubectl get pod` would put it
 * (Pending / Init:0/1 / ContainerCreating / CrashLoopBackOff / Running, not Ready), plus what it
 * waits for: an unbound claim, an unassigned node (with the scheduler's reason when it gave one).
 */
export function describePodState(
  pod: V1Pod | undefined,
  claims: readonly V1PersistentVolumeClaim[] = [],
): string {
  if (!pod) return 'pod not created yet';
  const name = pod.metadata?.name ?? '?';
  const node = pod.spec?.nodeName;
  const where = node ? ` on ${node}` : '';
  if (pod.metadata?.deletionTimestamp) return `${name} Terminating${where}`;
  if (isPodServing(pod)) return `${name} Running and Ready${where}`;
  const unbound = claims
    .filter((c) => c.status?.phase !== 'Bound')
    .map((c) => `claim ${c.metadata?.name ?? '?'} ${c.status?.phase ?? 'Pending'}`);
  const waiting = (statuses: readonly V1ContainerStatus[] | undefined): string[] =>
    (statuses ?? [])
      .map((s) => {
        const terminated = s.state?.terminated;
        return (
          s.state?.waiting?.reason ??
          (terminated && terminated.exitCode !== 0
            ? `Terminated(${terminated.reason ?? terminated.exitCode})`
            : undefined)
        );
      })
      .filter((r): r is string => r !== undefined);
  const init = pod.status?.initContainerStatuses ?? [];
  const initDone = init.filter((s) => s.state?.terminated?.exitCode === 0).length;
  const initPending = init.length > 0 && initDone < init.length;
  // PodInitializing says nothing the phase and Init:n/m do not already say.
  const reasons = [...waiting(init), ...waiting(pod.status?.containerStatuses)].filter(
    (r) => r !== 'PodInitializing',
  );
  const phase = pod.status?.phase ?? 'Pending';
  const parts = [
    initPending ? `Init:${initDone}/${init.length}` : phase === 'Running' ? 'Running, not Ready' : phase,
    ...reasons,
  ];
  if (!node) parts.push(`not scheduled${unschedulable(pod)}`);
  const restarts = (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
  if (restarts > 0) parts.push(`${restarts} restart${restarts === 1 ? '' : 's'}`);
  return `${name} ${parts.join(', ')}${where}${unbound.length ? `; ${unbound.join(', ')}` : ''}`;
}

/** The scheduler's reason, when it said why it found no node: ` (Unschedulable: 0/4 nodes are available: …)`. */
function unschedulable(pod: V1Pod): string {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
  if (!c?.reason) return '';
  const message = (c.message ?? '').replace(/\s+/g, ' ').trim();
  return ` (${c.reason}${message ? `: ${message}` : ''})`;
}

/** Reasons that explain a pod that never gets Ready, even when reported as Normal events. */
const TELLING_REASONS = new Set([
  'FailedScheduling',
  'FailedMount',
  'FailedAttachVolume',
  'FailedMapVolume',
  'ProvisioningFailed',
  'FailedBinding',
  'VolumeMismatch',
  'FailedCreatePodSandBox',
  'ErrImageNeverPull',
  'Failed',
  'BackOff',
  'Unhealthy',
  'FailedCreate',
  'Evicted',
]);

/**
 * The events that tell why a pod is not Ready: every Warning, and the reasons above, about the
 * given objects (the pod, its claims, the StatefulSet), newest last, one line each:
 * `FailedMount pod/postgres-0 (x3): MountVolume.SetUp failed for volume "gluster-pv-0" : ...`.
 */
export function tellingEvents(events: readonly CoreV1Event[], about: ReadonlySet<string>): string[] {
  const when = (e: CoreV1Event): number =>
    (e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp)?.valueOf() ?? 0;
  return [...events]
    .filter((e) => about.has(`${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`))
    .filter((e) => e.type === 'Warning' || TELLING_REASONS.has(e.reason ?? ''))
    .sort((a, b) => Number(when(a)) - Number(when(b)))
    .map((e) => {
      const count = (e.count ?? 1) > 1 ? ` (x${e.count ?? 1})` : '';
      const message = (e.message ?? '').replace(/\s+/g, ' ').trim();
      return `${e.reason ?? '?'} ${(e.involvedObject.kind ?? '?').toLowerCase()}/${e.involvedObject.name ?? '?'}${count}: ${message}`;
    });
}
