import type { FoundMilestone, MilestoneContext, PhaseMilestone } from '../../observe/recovery-phase-plan.js';
import type { PlatformEvent, TimelineEvent } from '../../observe/timeline-events.js';
import { settingPrediction, type TimingSettings } from '../recovery-phases.js';
import { POSTGRES_CONTAINER } from './pod-sql.js';

/**
 * The milestones of Postgres' pod moving off a lost node, as the pod watch and the cluster's Events
 * record them (pod-transitions.ts, platform-transitions.ts): the pod that served before the fault
 * deleted (fencing, and who did it), its successor scheduled, its volume attached and mounted, its
 * container started, Postgres accepting connections after crash recovery. Each storage driver puts
 * its own detection before them (the node NotReady; Portworx: PX offline on the node).
 */

const platform = (e: TimelineEvent): e is PlatformEvent => e.kind === 'platform';
const uidOf = (e: PlatformEvent): string | undefined => /\buid (\S+)/.exec(e.detail ?? '')?.[1];
const shortDetail = (e: PlatformEvent): string =>
  `${e.event}${e.node ? ` ${e.node}` : ''}: ${(e.detail ?? '').split(';')[0]}`;

/** The pod serving before the fault: the last one seen Ready (else created) before it. */
function podBefore(ctx: MilestoneContext): { uid: string; name: string } | undefined {
  const before = ctx.events.filter(
    (e): e is PlatformEvent =>
      platform(e) && e.t < ctx.faultAt && (e.event === 'pod-ready' || e.event === 'pod-created'),
  );
  const last = before.filter((e) => e.event === 'pod-ready').at(-1) ?? before.at(-1);
  const uid = last && uidOf(last);
  return last && uid ? { uid, name: (last.detail ?? '').split(' ')[0] ?? '' } : undefined;
}

function first(ctx: MilestoneContext, match: (e: PlatformEvent) => boolean): PlatformEvent | undefined {
  return ctx.events.find((e): e is PlatformEvent => platform(e) && e.t >= ctx.after && match(e));
}

const found = (e: PlatformEvent | undefined, by?: string): FoundMilestone | undefined =>
  e && { t: e.t, evidence: shortDetail(e), ...(by !== undefined && { by }) };

/** The new pod: the first scheduled after the fault that is not the one before it. */
function successor(ctx: MilestoneContext): PlatformEvent | undefined {
  const old = podBefore(ctx)?.uid;
  return ctx.events.find(
    (e): e is PlatformEvent =>
      platform(e) && e.t >= ctx.faultAt && e.event === 'pod-scheduled' && uidOf(e) !== old,
  );
}

/**
 * Who deleted the pod, from what each one leaves in the timeline: the harness's stuck-pod remedy
 * its `pod-force-deleted` (recorded once the pod is gone, so it may follow the deletion), Stork a
 * `StorageDriverOffline` or `NodeLost` ("Force deleting pod …") Event, the taint manager a
 * `TaintManagerEviction` Event (it only marks the pod for deletion: on an unreachable node the pod
 * stays Terminating until something force-deletes it). The one nearest the deletion.
 */
const DELETERS: readonly { readonly by: string; readonly is: (e: PlatformEvent) => boolean }[] = [
  {
    by: 'the harness (stuck-pod remedy)',
    is: (e) => e.event === 'pod-force-deleted' && (e.detail ?? '').startsWith('by the harness'),
  },
  {
    by: 'Stork',
    is: (e) =>
      e.event === 'k8s:StorageDriverOffline' ||
      (e.event === 'k8s:NodeLost' && /force deleting pod/i.test(e.detail ?? '')),
  },
  { by: 'the taint manager (tolerationSeconds)', is: (e) => e.event === 'k8s:TaintManagerEviction' },
];
/** How long after the deletion the deleter's own record may come (the harness's: after it saw the pod gone). */
const DELETER_LAG_MS = 5_000;

function deleter(ctx: MilestoneContext, deletedAt: number): { by: string; event: PlatformEvent } | undefined {
  let best: { by: string; event: PlatformEvent } | undefined;
  for (const e of ctx.events) {
    if (!platform(e) || e.t < ctx.faultAt || e.t > deletedAt + DELETER_LAG_MS) continue;
    const d = DELETERS.find((x) => x.is(e));
    if (d && (!best || Math.abs(e.t - deletedAt) < Math.abs(best.event.t - deletedAt)))
      best = { by: d.by, event: e };
  }
  return best;
}

/** Kubernetes' defaults: the kubelet renews its node Lease every 10 s; the controller checks every 5 s. */
const HEARTBEAT_MS = 10_000;
const MONITOR_PERIOD_MS = 5000;

/**
 * Detection on Kubernetes: the fault's node turns NotReady. Predicted from the controller manager's
 * node-monitor-grace-period: the last heartbeat came up to one renew interval before the fault, and
 * the controller notices at its next check.
 */
export const NODE_NOT_READY: PhaseMilestone = {
  name: 'detection',
  title: "detection: the fault's node turns NotReady (node-not-ready)",
  find: (ctx) => found(first(ctx, (e) => e.event === 'node-not-ready' && e.node === ctx.faultNode)),
  predict: (settings) => {
    const grace = settings.nodeMonitorGracePeriod;
    return (
      grace && {
        lowMs: Math.max(0, grace.ms - HEARTBEAT_MS),
        highMs: grace.ms + MONITOR_PERIOD_MS,
        source: `node-monitor-grace-period ${grace.ms / 1000} s (${grace.source}), less the kubelet's ${HEARTBEAT_MS / 1000} s heartbeat, plus the controller's ${MONITOR_PERIOD_MS / 1000} s check (Kubernetes' defaults)`,
      }
    );
  },
};

/**
 * Fencing: the pod that served before the fault deleted (pod-deleted), attributed. `predictedBy`:
 * the setting after which the harness deletes it, counted from the detection.
 */
export function podDeleted(predictedBy: { readonly key: string; readonly why: string }): PhaseMilestone {
  return {
    name: 'fencing',
    title: 'fencing: the pod on the lost node deleted (pod-deleted), by whoever the events name',
    find(ctx) {
      const old = podBefore(ctx);
      const deleted = old && first(ctx, (e) => e.event === 'pod-deleted' && uidOf(e) === old.uid);
      if (!deleted) return undefined;
      const who = deleter(ctx, deleted.t);
      return {
        t: deleted.t,
        evidence: `${shortDetail(deleted)}${who ? `; ${shortDetail(who.event)}` : ''}`,
        by: who?.by ?? 'not recorded (no deleter left an event)',
      };
    },
    predict: (settings: TimingSettings) => {
      const p = settingPrediction(settings, predictedBy.key, predictedBy.why);
      const toleration = settings.tolerationSeconds;
      return (
        p && {
          ...p,
          source: `${p.source}${toleration ? `; the taint manager's tolerationSeconds ${toleration.ms / 1000} s (${toleration.source}) only marks it Terminating` : ''}`,
        }
      );
    },
  };
}

/** The StatefulSet's new pod placed on a node. */
export const POD_SCHEDULED: PhaseMilestone = {
  name: 'scheduling',
  title: "scheduling: the StatefulSet's new pod placed on a node (pod-scheduled)",
  find: (ctx) => {
    const next = successor(ctx);
    return next && next.t >= ctx.after ? found(next) : undefined;
  },
};

/**
 * The volume attached and mounted on the new node: the kubelet makes no container (init or not)
 * before the pod's volumes are attached and mounted, so its first container Event for the new pod
 * (Pulling, Pulled, Created, Started) ends the phase, the pod sandbox's creation included. No Event
 * marks a successful mount; an attachable volume's SuccessfulAttachVolume falls inside the phase.
 */
export const VOLUME_MOUNTED: PhaseMilestone = {
  name: 'volume',
  title:
    "volume: attached and mounted on the new node, with the pod's sandbox (until the kubelet's first container event for the pod)",
  find: (ctx) => {
    const next = successor(ctx);
    const pod = (next?.detail ?? '').split(' ')[0];
    if (!next || !pod) return undefined;
    return found(
      first(
        ctx,
        (e) =>
          /^k8s:(Pulling|Pulled|Created|Started)$/.test(e.event) &&
          e.node === next.node &&
          (e.detail ?? '').startsWith(`pod/${pod}:`),
      ),
    );
  },
};

/** The Postgres container started (its init containers have run). */
export const CONTAINER_STARTED: PhaseMilestone = {
  name: 'container',
  title: `container: init containers run, the ${POSTGRES_CONTAINER} container started (k8s:Started)`,
  find: (ctx) =>
    found(
      first(
        ctx,
        (e) =>
          e.event === 'k8s:Started' &&
          new RegExp(`Started container ${POSTGRES_CONTAINER}$`).test((e.detail ?? '').trim()),
      ),
    ),
};

/** Postgres accepting connections in the new pod, its crash recovery done (the readiness probe passes). */
export const POSTGRES_READY: PhaseMilestone = {
  name: 'crash_recovery',
  title: 'crash recovery: Postgres replays its WAL and accepts connections (pod-ready of the new pod)',
  find: (ctx) => {
    const old = podBefore(ctx)?.uid;
    return found(first(ctx, (e) => e.event === 'pod-ready' && uidOf(e) !== old));
  },
};

/** After the detection, the pod's move: fencing, scheduling, volume, container, crash recovery. */
export function podMovePhases(
  detection: PhaseMilestone,
  fencingPredictedBy: { readonly key: string; readonly why: string },
): readonly PhaseMilestone[] {
  return [
    detection,
    podDeleted(fencingPredictedBy),
    POD_SCHEDULED,
    VOLUME_MOUNTED,
    CONTAINER_STARTED,
    POSTGRES_READY,
  ];
}

/** The node cut: NotReady, then the harness's force delete (where no Stork does it first). */
export const NODE_LOST_PHASES: readonly PhaseMilestone[] = podMovePhases(NODE_NOT_READY, {
  key: 'forceDeleteStuckPodAfter',
  why: 'the harness force-deletes a pod whose node has been NotReady this long',
});
