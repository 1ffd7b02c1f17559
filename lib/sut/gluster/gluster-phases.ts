import type { PhaseMilestone } from '../../observe/recovery-phase-plan.js';
import type { FaultEvent, PlatformEvent, TimelineEvent } from '../../observe/timeline-events.js';
import { NODE_LOST_PHASES } from '../postgres-on-k8s/pod-move-phases.js';
import { settingPrediction, type RecoveryPhasePlans, type TimingSettings } from '../recovery-phases.js';

/**
 * Gluster's own recovery where the pod stays on its node: its bricks there frozen (the agent
 * faults). Every write waits for all three replicas, so the volume stalls until either the freeze
 * ends (the heal, within grace) or the clients drop the frozen brick after `network.ping-timeout`
 * and go on with the two others; then Postgres' I/O resumes and it answers its readiness probe.
 * A node cut moves the pod like on any driver (pod-move-phases.ts).
 */

/** Gluster's default, which the kube lab keeps (gluster-node-commands.ts): the driver's setting. */
export const GLUSTER_PING_TIMEOUT_MS = 42_000;

export function glusterTimings(): TimingSettings {
  return {
    pingTimeout: {
      ms: GLUSTER_PING_TIMEOUT_MS,
      source: "Gluster's default network.ping-timeout, which the kube lab's volumes keep",
    },
  };
}

const podReadyAgain: PhaseMilestone = {
  name: 'io_resumed',
  title: 'I/O resumed: Postgres answers its readiness probe again, same pod, same node (pod-ready)',
  find: (ctx) => {
    const e = ctx.events.find(
      (x): x is PlatformEvent => x.kind === 'platform' && x.t >= ctx.after && x.event === 'pod-ready',
    );
    return e && { t: e.t, evidence: `pod-ready ${e.node ?? ''}: ${e.detail ?? ''}` };
  },
};

/**
 * The clients dropping the frozen brick: no event records it today (it is in the FUSE client's log
 * on the pod's node, "has not responded in the last 42 seconds, disconnecting", which nothing reads
 * yet), so the phase is unknown, its prediction kept.
 */
const brickDropped: PhaseMilestone = {
  name: 'brick_dropped',
  title:
    'brick dropped: the volume stalls until the clients give up on the frozen brick (network.ping-timeout)',
  find: () => undefined,
  predict: (settings) =>
    settingPrediction(
      settings,
      'pingTimeout',
      'clients drop a brick that has answered nothing for this long',
    ),
};

const isHealing = (e: TimelineEvent): e is FaultEvent => e.kind === 'fault' && e.phase === 'healing';

/** Within grace the freeze ends with the heal (SIGCONT), before any client drops the brick. */
const thawed: PhaseMilestone = {
  name: 'frozen',
  title: "frozen: the volume stalls for the bricks' freeze, until the heal thaws them",
  find: (ctx) => {
    const e = ctx.events.find((x) => isHealing(x) && x.t >= ctx.after);
    return e && { t: e.t, evidence: 'fault healing: the bricks thawed' };
  },
  predict: (settings) => settingPrediction(settings, 'hold', 'the fault is held this long'),
};

export const GLUSTER_RECOVERY_PHASES: RecoveryPhasePlans = {
  'network-partition': NODE_LOST_PHASES,
  'agent-restart-within-grace': [thawed, podReadyAgain],
  'agent-down-past-grace': [brickDropped, podReadyAgain],
};
