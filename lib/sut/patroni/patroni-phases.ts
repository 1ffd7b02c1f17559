import type { MilestoneContext, PhaseMilestone } from '../../observe/recovery-phase-plan.js';
import type { PlatformEvent } from '../../observe/timeline-events.js';
import type { RecoveryPhasePlans } from '../recovery-phases.js';

/**
 * The lab's failover as its Patroni watch records it (patroni-sut.ts polls every member's REST API):
 * the leader key gone from etcd (leader-lost), a replica promoted (leader-changed), then the first
 * write on it. The watch polls (`patroniWatchPoll`), so each is seen up to one poll and a REST
 * round trip late — a leader change seen after the first write on the new leader ends where the
 * write is.
 */
function firstEvent(ctx: MilestoneContext, event: string, node?: (n: string | undefined) => boolean) {
  const e = ctx.events.find(
    (x): x is PlatformEvent =>
      x.kind === 'platform' && x.t >= ctx.after && x.event === event && (node?.(x.node) ?? true),
  );
  return (
    e && { t: e.t, evidence: `${e.event}${e.node ? ` ${e.node}` : ''}${e.detail ? `: ${e.detail}` : ''}` }
  );
}

/** The leader's key expired: no leader in the DCS. */
export const LEADER_KEY_EXPIRED: PhaseMilestone = {
  name: 'detection',
  title: "detection: the leader's key expires in etcd (leader-lost)",
  find: (ctx) => firstEvent(ctx, 'leader-lost'),
  // The leader renews its key every loop_wait; it expires ttl after the last renewal before the fault.
  predict: ({ ttl, loopWait }) =>
    ttl && loopWait
      ? {
          lowMs: ttl.ms - loopWait.ms,
          highMs: ttl.ms,
          source: `Patroni: the key expires ttl ${ttl.ms / 1000} s after its last renewal, renewed every loop_wait ${loopWait.ms / 1000} s (${ttl.source})`,
        }
      : undefined,
};

/** A replica took the leader key and promoted itself. */
export const PROMOTED: PhaseMilestone = {
  name: 'promotion',
  title: 'promotion: a replica takes the leader key and promotes (leader-changed)',
  find: (ctx) => firstEvent(ctx, 'leader-changed', (n) => n !== ctx.faultNode),
  // Replicas act on the expiry at their next HA loop at the latest (the etcd watch wakes them sooner).
  predict: ({ loopWait }) =>
    loopWait
      ? {
          lowMs: 0,
          highMs: loopWait.ms,
          source: `Patroni: replicas act on the expiry within one loop_wait ${loopWait.ms / 1000} s (${loopWait.source})`,
        }
      : undefined,
};

const FAILOVER: readonly PhaseMilestone[] = [LEADER_KEY_EXPIRED, PROMOTED];

/**
 * The faults that take the leader's Patroni away (cut off, or killed and kept down) go through the
 * key's expiry and a promotion. A restart within grace loses no write (rto 0: no phases). A failed
 * drive leaves Patroni running, so how the key goes is not ttl's business: the same two events, no
 * prediction for the first.
 */
export const PATRONI_RECOVERY_PHASES: RecoveryPhasePlans = {
  'network-partition': FAILOVER,
  'agent-down-past-grace': FAILOVER,
  'drive-offline': [
    {
      name: LEADER_KEY_EXPIRED.name,
      title: "detection: the leader's key goes from etcd (leader-lost)",
      find: (ctx) => LEADER_KEY_EXPIRED.find(ctx),
    },
    PROMOTED,
  ],
};
