import type { FullExpectations } from '../expectations.js';

/**
 * What Postgres in a StatefulSet on a node-local volume (one PersistentVolume per worker, no
 * replication) does when the fault hits the node running the pod: the contrast a workshop needs.
 * The pod can never leave its node (the volume's node affinity pins it there), so nothing moves and
 * nothing is force-deleted: service returns when the node does. The harness reaches Postgres
 * through the node's kubelet (the port-forward `kubectl` also uses), so a cut or frozen kubelet is
 * an outage for every client that comes that way. Timers: Kubernetes' node-monitor-grace-period
 * (40 s) and the pod's NotReady/unreachable toleration (`kube.tolerationSeconds`, 30 s): each hold
 * ends before NotReady + toleration, when the taint manager would evict the pod — which, its node
 * unreachable, would only leave it Terminating until the node returns. Measured: docs/local-driver.md.
 */
export const LOCAL_EXPECTATIONS: FullExpectations = {
  'network-partition': {
    recoveryWithinMs: 75_000,
    failedWritesAllowed: true,
    primaryMoves: false,
    holdMs: 45_000,
    recoversAfterHeal: true,
    source:
      'the volume’s node affinity pins the pod to the cut node (no replica elsewhere): writes through its kubelet fail for the whole cut; NotReady after node-monitor-grace-period 40 s, eviction only at NotReady + tolerationSeconds 30 s, after the 45 s hold; measured: docs/local-driver.md',
    notes:
      'Without replicated storage the pod cannot move: the service is down for as long as the node is cut off, and comes back with the node, its data intact (nothing was lost, nothing was reachable either).',
  },
  'agent-restart-within-grace': {
    recoveryWithinMs: 30_000,
    failedWritesAllowed: true,
    primaryMoves: false,
    holdMs: 15_000,
    source:
      'the kubelet frozen 15 s < node-monitor-grace-period 40 s: the node stays Ready, Postgres keeps running, but the port-forward through the frozen kubelet stalls until the thaw; measured: docs/local-driver.md',
    notes:
      'The kubelet is the agent of local storage: it mounts the volume and serves exec and port-forward.',
  },
  'agent-down-past-grace': {
    recoveryWithinMs: 75_000,
    failedWritesAllowed: true,
    primaryMoves: false,
    holdMs: 50_000,
    recoversAfterHeal: true,
    source:
      'the kubelet frozen 50 s > node-monitor-grace-period 40 s: the node goes NotReady, the pod cannot move (its volume is on that node) and is not evicted before NotReady + tolerationSeconds 30 s; service through the kubelet returns with the thaw; measured: docs/local-driver.md',
    notes:
      'A replicated driver would have moved the pod to another node once the node was NotReady; here the only recovery is the node’s own.',
  },
  'drive-offline': {
    recoveryWithinMs: 45_000,
    failedWritesAllowed: true,
    primaryMoves: false,
    holdMs: 30_000,
    recoversAfterHeal: true,
    source:
      'fsfreeze blocks every write to the volume’s filesystem (Postgres’ WAL included) for the 30 s hold: commits wait or time out, and complete with the thaw; no copy elsewhere takes over; measured: docs/local-driver.md',
    notes:
      'The drive hangs (driveMode hang): a local filesystem cannot be failed with errors and brought back under a running pod without device-mapper.',
  },
};
