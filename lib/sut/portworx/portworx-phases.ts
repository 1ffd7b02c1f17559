import type { PhaseMilestone } from '../../observe/recovery-phase-plan.js';
import type { PlatformEvent } from '../../observe/timeline-events.js';
import { NODE_LOST_PHASES, podMovePhases } from '../postgres-on-k8s/pod-move-phases.js';
import type { RecoveryPhasePlans } from '../recovery-phases.js';
import { PX_DOWN_EVENTS } from './portworx-detected-setup.js';

/**
 * Portworx's recovery: a node cut moves the pod like on any driver (Stork, or the harness, deletes
 * it); PX down past its grace makes PX report the node offline, then Stork's health monitor or the
 * harness's storage-down remedy deletes the pod, which moves to a node holding a replica.
 */

/** Detection: PX's own view (watch-px-state.ts) shows the fault's node down. */
const PX_OFFLINE: PhaseMilestone = {
  name: 'detection',
  title: "detection: PX seen down on the fault's node (px-node-offline)",
  find: (ctx) => {
    const e = ctx.events.find(
      (x): x is PlatformEvent =>
        x.kind === 'platform' &&
        x.t >= ctx.after &&
        x.node === ctx.faultNode &&
        (PX_DOWN_EVENTS as readonly string[]).includes(x.event),
    );
    return e && { t: e.t, evidence: `${e.event} ${e.node ?? ''}: ${e.detail ?? ''}` };
  },
};

export const PORTWORX_RECOVERY_PHASES: RecoveryPhasePlans = {
  'network-partition': NODE_LOST_PHASES,
  'agent-down-past-grace': podMovePhases(PX_OFFLINE, {
    key: 'deletePodAfterStorageDown',
    why: 'the harness deletes the pod once PX has been down on its node this long',
  }),
};
