import type { Expectation, Expectations, FaultKind } from '../expectations.js';
import {
  formatStorkVersion,
  STORK_HEALTH_MONITOR_INTERVAL_DEFAULT_S,
  storkAtLeast,
  type StorkConfig,
} from './stork-config.js';
import { storkHealthMonitor } from './stork-timings.js';

/**
 * What Postgres in a StatefulSet on a Portworx volume does when a fault hits the node running the
 * pod, computed from the cluster's detected configuration. Every figure comes from
 * ../shared/docs/portworx.md (PD below) or a file it cites (SOURCES = ../shared/fixtures/portworx/SOURCES.md);
 * the two margins no source gives (PX's start time, a pod's start on another node) are the harness's
 * own, said so, to be replaced by measurements. Portworx cannot run here: nothing below is measured.
 */
export interface PortworxDetected {
  readonly stork: StorkConfig;
  /** The volume's replication factor (`repl` of its StorageClass, `spec.ha_level` of the volume). */
  readonly replicationFactor: number;
  /**
   * The px module's I/O timeout (`/sys/bus/pxd/devices/<minor>/timeout`), one value per node
   * (pxd-timeout.ts); before a run the lowest of the nodes'; default 600 s.
   */
  readonly pxdTimeoutS?: number;
  /** Where pxdTimeoutS was read (pxd-timeout.ts), for the sources; "detected" when not said. */
  readonly pxdTimeoutSaid?: string;
  /**
   * How long PX may stay down with the pod and its I/O untouched, when known better than computed
   * here (the computation: the px module's timeout, and Stork's earliest pod deletion when its
   * health monitor is on).
   */
  readonly graceS?: number;
}

// ---- The figures, each with where it comes from ----

/** PD "Agent down": the px module queues I/O for `pxd_timeout` = 600 s by default, minimum 30 s. */
export const PXD_TIMEOUT_DEFAULT_S = 600;
export const PXD_TIMEOUT_MIN_S = 30;
/**
 * Stork's backoff after it sees a PX node Offline (40 s, then 150 s from v2.9.0), its batches of
 * deletions (30 s apart from v24.3.1) and its interval's minimum: by version, with their sources in
 * Stork's code, in stork-timings.ts.
 */
/** PD "Agent down": Stork's own test allows 295 s from PX down to the pod deleted. */
export const STORK_TEST_ALLOWANCE_S = 295;
/** PD "Agent down": Stork's own short-outage test stops PX for 30 s: same node, UID unchanged. */
export const STORK_SHORT_OUTAGE_S = 30;
/** PD "Drive offline", SOURCES "Surprises" 4: since Stork 23.5 (PR #1385) StorageDown keeps the pods; before, Stork deleted them. */
export const STORK_KEEPS_STORAGE_DOWN_SINCE = { major: 23, minor: 5 };
/** PD "Network partition": a cut node is NotReady after ~30–40 s. */
export const KUBE_NOT_READY_S = 40;
/** The harness's force delete of a pod on a NotReady node (config `kube.forceDeleteStuckPodAfter`, default 30 s). */
export const HARNESS_FORCE_DELETE_AFTER_S = 30;
/**
 * Harness margins (no source gives these for Portworx): PX's start after `systemctl start portworx`
 * until the queued I/O resumes; a pod's start on another node (PX attach + Postgres crash recovery;
 * Gluster's measured 22–52 s is the only figure we have, docs/postgres-on-k8s.md); Postgres' PANIC
 * after the px module fails its I/O.
 */
export const PX_RESTART_MARGIN_S = 60;
export const POD_START_MARGIN_S = 60;
export const EIO_TO_PANIC_MARGIN_S = 30;
/**
 * Harness margin, no source: PX's own time to mark a stopped or cut node Offline. Stork's backoff
 * starts only once PX reports the node Offline (it asks PX, not the node), and no public source
 * gives how long PX takes (portworx.md, SOURCES.md: no Offline row recorded; torpedo only waits up
 * to minutes for it). The run measures it as the PX state poller's first `px-peers-offline` (the
 * other nodes' tables agreeing the node is Offline), metric PX_MARKS_OFFLINE_METRIC, from the
 * fault's injection (within a 5 s poll), so a user can tighten the limit with it.
 */
export const PX_MARKS_OFFLINE_MARGIN_S = 60;
export const PX_MARKS_OFFLINE_METRIC = 'platform_px_peers_offline_ms';
const MARKS_OFFLINE_SAID = `+ ${PX_MARKS_OFFLINE_MARGIN_S} s for PX to mark the node Offline before Stork's backoff can start (harness margin: no public source gives this time; each run measures it as ${PX_MARKS_OFFLINE_METRIC})`;
const MARKS_OFFLINE_NOTE = ` The limit includes ${PX_MARKS_OFFLINE_MARGIN_S} s for PX to mark the node Offline, a time no public source gives: this run's ${PX_MARKS_OFFLINE_METRIC} is that time as measured (within one 5 s poll); tighten scenarios.<name>.hold and thresholds.recoveryWithin with it.`;
/** The drive fault's hold where nothing is expected to move (harness choice). */
const DRIVE_HOLD_NO_STORK_S = 60;

const PD = 'portworx.md';

/** The documented defaults (PD): Stork with its health monitor on every 120 s, version unknown; repl 2 (the workshop's StorageClass); pxd_timeout 600 s. */
export const PORTWORX_DOCUMENTED_DEFAULTS: PortworxDetected = {
  stork: {
    present: true,
    healthMonitor: true,
    healthMonitorIntervalS: STORK_HEALTH_MONITOR_INTERVAL_DEFAULT_S,
  },
  replicationFactor: 2,
  pxdTimeoutS: PXD_TIMEOUT_DEFAULT_S,
};

/** The Stork and px timings the expectations use, computed once. */
interface Timings {
  readonly storkDeletes: boolean;
  /** Stork runs (its extender places pods on replica nodes): not when its flags make it exit. */
  readonly storkRuns: boolean;
  readonly intervalS: number;
  /** The backoff at the latest and the wait for our pod's batch (0 before Stork's batches). */
  readonly backoffS: number;
  readonly batchS: number;
  /** Worst case from PX down to Stork's deletion of our pod (a poll interval, the backoff, one batch later). */
  readonly storkWorstS: number;
  /** Earliest Stork deletion after PX goes down (a poll right at the stop, then the backoff). */
  readonly storkEarliestS: number;
  readonly pxdTimeoutS: number;
  readonly graceS: number;
  readonly said: Said;
}

/** How each detected value reads in a source. */
interface Said {
  readonly stork: string;
  readonly repl: string;
  readonly pxd: string;
  readonly grace: string;
}

function timings(d: PortworxDetected): Timings {
  validate(d);
  const monitor = storkHealthMonitor(d.stork);
  const storkDeletes = monitor.deletes;
  const { intervalS, batchS } = monitor;
  const storkEarliestS = monitor.backoffS.least;
  const storkWorstS = intervalS + monitor.backoffS.most + batchS;
  const pxdTimeoutS = d.pxdTimeoutS ?? PXD_TIMEOUT_DEFAULT_S;
  const computedGraceS = storkDeletes ? Math.min(pxdTimeoutS, storkEarliestS) : pxdTimeoutS;
  const graceS = d.graceS ?? computedGraceS;
  return {
    storkDeletes,
    storkRuns: monitor.runs,
    intervalS,
    backoffS: monitor.backoffS.most,
    batchS,
    storkWorstS,
    storkEarliestS,
    pxdTimeoutS,
    graceS,
    said: {
      stork: monitor.said,
      repl: `repl ${d.replicationFactor} (detected)`,
      pxd:
        d.pxdTimeoutS === undefined
          ? `pxd_timeout ${pxdTimeoutS} s (the default, ${PD} "Agent down")`
          : (d.pxdTimeoutSaid ?? `pxd_timeout ${pxdTimeoutS} s (detected)`),
      grace:
        d.graceS === undefined
          ? `grace ${graceS} s (${
              storkDeletes && storkEarliestS < pxdTimeoutS
                ? `Stork's earliest deletion: a poll right at the stop + ${storkEarliestS} s backoff`
                : 'the px module timeout'
            })`
          : `grace ${graceS} s (given)`,
    },
  };
}

function validate(d: PortworxDetected): void {
  if (!Number.isInteger(d.replicationFactor) || d.replicationFactor < 1) {
    throw new Error(
      `Portworx expectations: replication factor ${d.replicationFactor} is not a whole number ≥ 1`,
    );
  }
  if (d.pxdTimeoutS !== undefined && (!Number.isFinite(d.pxdTimeoutS) || d.pxdTimeoutS < PXD_TIMEOUT_MIN_S)) {
    throw new Error(
      `Portworx expectations: pxd_timeout ${d.pxdTimeoutS} s is below the px module's minimum ${PXD_TIMEOUT_MIN_S} s (${PD})`,
    );
  }
  if (d.graceS !== undefined && !(d.graceS > 0)) {
    throw new Error(`Portworx expectations: grace ${d.graceS} s is not positive`);
  }
}

const s = (seconds: number): number => seconds * 1000;

/**
 * The faults that need a surviving replica, and why each is not run on a repl-1 volume: with one
 * replica, the only copy of the data is on the node the fault hits, so no pod elsewhere can serve it
 * and "recovered elsewhere with every acknowledged write" cannot be expected. Such a fault is left
 * out of the table (the scenario stops before injecting it, lib/scenario/fault-not-supported.ts);
 * these reasons say why.
 */
export function portworxUnsupportedFaults(
  detected: PortworxDetected,
): Readonly<Partial<Record<FaultKind, string>>> {
  const t = timings(detected);
  // Stork before v2.3.4 deletes the pods at the poll that sees PX offline: no restart is sure to
  // stay within its grace, whatever its length.
  const noGrace: Partial<Record<FaultKind, string>> =
    t.graceS > 0
      ? {}
      : {
          'agent-restart-within-grace': `${t.said.stork}: no PX restart is sure to stay within a grace window (${t.said.grace})`,
        };
  if (detected.replicationFactor >= 2) return noGrace;
  const why = (what: string): string =>
    `repl ${detected.replicationFactor} (detected): ${what}; the volume's only replica is on the faulted node, so no other node can serve it (${PD} "Network partition", "Drive offline": repl 2 is what keeps it served)`;
  return {
    'network-partition': why(
      'Stork or the harness would move the pod off the cut node, to a node with no replica',
    ),
    'agent-down-past-grace': why(
      'with PX down past its grace window the data is unreachable until PX is back',
    ),
    'drive-offline': why("the drive holding the only replica fails, so the volume's I/O fails"),
    ...noGrace,
  };
}

/**
 * The expectations for the detected configuration: all four faults with repl ≥ 2; with repl 1 only
 * the restart within grace (no replica elsewhere needed: the pod stays, its I/O is queued) — the
 * others are left out, with their reasons in portworxUnsupportedFaults.
 */
export function portworxExpectations(detected: PortworxDetected): Expectations {
  const t = timings(detected);
  const table: Partial<Record<FaultKind, Expectation>> = {
    'agent-restart-within-grace': withinGrace(t),
    'network-partition': partition(t),
    'agent-down-past-grace': pastGrace(t),
    'drive-offline': driveOffline(t, detected),
  };
  for (const kind of Object.keys(portworxUnsupportedFaults(detected)) as FaultKind[]) delete table[kind];
  return table;
}

function withinGrace(t: Timings): Expectation {
  // Stork's short-outage test stops PX for 30 s; kept within half the grace window so that PX's
  // start still fits in it (a short pxd_timeout or an old Stork's 40 s backoff shorten the hold).
  const holdS = Math.min(STORK_SHORT_OUTAGE_S, t.graceS / 2);
  return {
    // The px module queues the I/O while PX is down: Postgres stalls for the hold, then resumes once
    // PX is back (its start: the harness's margin).
    recoveryWithinMs: s(holdS + PX_RESTART_MARGIN_S),
    failedWritesAllowed: false,
    primaryMoves: false,
    holdMs: s(holdS),
    source: `${PD} "Agent down": the px module queues I/O for pxd_timeout, restart within it → same pod UID and node, no I/O error; ${t.said.pxd}; ${t.said.stork}; ${t.said.grace}; held min(${STORK_SHORT_OUTAGE_S} s, Stork's short-outage test; grace / 2) = ${holdS} s; stall ≤ hold + ${PX_RESTART_MARGIN_S} s (harness margin for PX's start, no source)`,
    notes:
      'Expect the same pod UID on the same node and no failed write: only a stall (writes blocked in D state). A failed write or a new pod means PX was down past its grace window.',
  };
}

function pastGrace(t: Timings): Expectation {
  if (t.storkDeletes) {
    return {
      // Stork polls PX every interval, backs off (150 s since v2.9.0) once it sees the node Offline,
      // then force-deletes the pods (since v24.3.1 in batches of 5 every 30 s: ours may be in the
      // second batch); the extender places the new pod on the surviving replica's node.
      recoveryWithinMs: s(t.storkWorstS + PX_MARKS_OFFLINE_MARGIN_S + POD_START_MARGIN_S),
      failedWritesAllowed: true,
      primaryMoves: true,
      holdMs: s(t.storkWorstS + PX_MARKS_OFFLINE_MARGIN_S),
      source: `${PD} "Agent down": ${t.said.stork}; worst case ${t.intervalS} s poll + ${t.backoffS} s backoff + ${t.batchS} s batch = ${t.storkWorstS} s to the StorageDriverOffline deletion (Stork's own test allows ${STORK_TEST_ALLOWANCE_S} s); ${MARKS_OFFLINE_SAID}; ${PD} "Network partition": the extender places the pod on a replica node; ${t.said.repl}; + ${POD_START_MARGIN_S} s for the pod's start (harness margin, no source)`,
      notes: `Expect a Warning event StorageDriverOffline from stork ("Deleting Pod from Node <node> due to volume driver status: Offline (STATUS_OFFLINE)", SOURCES.md "I. Stork event"), the pod on a node holding a replica within ~${STORK_TEST_ALLOWANCE_S} s, every row intact and no acknowledged write lost. Writes in flight on the old pod fail (the connection dies with it).${MARKS_OFFLINE_NOTE}`,
    };
  }
  // No Stork deleting pods: the px module fails the queued I/O after pxd_timeout, Postgres PANICs
  // and crash-loops on the node until the pod is deleted, which the harness does (the documented
  // remedy, portworxRecovery) once the I/O has failed; PX stays down until then.
  const deleteAfterS = t.pxdTimeoutS + EIO_TO_PANIC_MARGIN_S;
  return {
    recoveryWithinMs: s(deleteAfterS + POD_START_MARGIN_S),
    failedWritesAllowed: true,
    // Stork's extender (health monitor off) puts the new pod on a replica node; the default
    // scheduler (no Stork) may put it back on the node whose PX is down.
    primaryMoves: t.storkRuns ? true : 'either',
    holdMs: s(deleteAfterS),
    source: `${PD} "Agent down": ${t.said.stork}, so past grace means EIO after ${t.said.pxd}, then Postgres crash-loops until the pod is deleted ("delete the pod"); the harness deletes it ${EIO_TO_PANIC_MARGIN_S} s after the timeout (harness margin); ${t.said.repl}; + ${POD_START_MARGIN_S} s for the pod's start (harness margin, no source)`,
    notes: `Writes stall for pxd_timeout, then fail (EIO, filesystem read-only, Postgres PANIC). Recovery only after the pod is deleted: the harness does it (portworxRecovery) and the run measures it.${
      t.storkRuns
        ? ''
        : ' Without Stork the new pod may be scheduled back on the node whose PX is down; it then recovers only once PX is started again.'
    }`,
  };
}

function partition(t: Timings): Expectation {
  if (t.storkDeletes) {
    return {
      // Stork deletes the pod once PX reports the cut node Offline (driver monitor), at worst after
      // a poll, the backoff and a batch; its pod monitor may do it sooner (NodeLost).
      recoveryWithinMs: s(t.storkWorstS + PX_MARKS_OFFLINE_MARGIN_S + POD_START_MARGIN_S),
      failedWritesAllowed: true,
      primaryMoves: true,
      holdMs: s(t.storkWorstS + PX_MARKS_OFFLINE_MARGIN_S),
      source: `${PD} "Network partition": Stork force-deletes the pod on the unreachable node (pod monitor, or driver monitor once PX reports it Offline, ≤ ~270 s) and its extender places the new pod on the surviving replica; ${t.said.stork}: ${t.intervalS} s + ${t.backoffS} s + ${t.batchS} s = ${t.storkWorstS} s; ${MARKS_OFFLINE_SAID}; ${t.said.repl}; + ${POD_START_MARGIN_S} s for the pod's start (harness margin, no source)`,
      notes: `Expect the pod on a node holding a replica with every committed row. Inferred (portworx.md): the isolated node loses PX quorum, so the old pod blocks and then fails its I/O; it cannot acknowledge a write the survivors lack. With the embedded KVDB on 3 nodes never cut two nodes at once.${MARKS_OFFLINE_NOTE}`,
    };
  }
  // Nothing storage-aware moves it: Kubernetes never replaces a StatefulSet pod on an unreachable
  // node, so the harness force-deletes it after the node has been NotReady for 30 s.
  const moveS = KUBE_NOT_READY_S + HARNESS_FORCE_DELETE_AFTER_S;
  return {
    recoveryWithinMs: s(moveS + POD_START_MARGIN_S),
    failedWritesAllowed: true,
    // The cut node is NotReady, so the new pod goes to another node either way; with Stork's
    // extender (monitor off) to a replica node.
    primaryMoves: true,
    holdMs: s(moveS),
    source: `${PD} "Network partition": NotReady after ~30–40 s, StatefulSet pods on an unreachable node stay until force-deleted; ${t.said.stork}, so the harness force-deletes after ${HARNESS_FORCE_DELETE_AFTER_S} s NotReady (kube.forceDeleteStuckPodAfter); ${KUBE_NOT_READY_S} s + ${HARNESS_FORCE_DELETE_AFTER_S} s; ${t.said.repl}; + ${POD_START_MARGIN_S} s for the pod's start (harness margin, no source)`,
    notes: `Recovery comes from the harness's force delete (portworxRecovery), not from Portworx.${
      t.storkRuns
        ? ''
        : ' Without Stork nothing steers the new pod to a node holding a replica (PX may serve it remotely: not in portworx.md).'
    }`,
  };
}

function driveOffline(t: Timings, d: PortworxDetected): Expectation {
  const { version } = d.stork;
  const keepsPods =
    !t.storkDeletes ||
    (version !== undefined &&
      storkAtLeast(version, STORK_KEEPS_STORAGE_DOWN_SINCE.major, STORK_KEEPS_STORAGE_DOWN_SINCE.minor));
  const versionSaid = `Stork ${formatStorkVersion(version)}`;
  const common = `${PD} "Drive offline": a failed drive takes its pool Offline and the node to STORAGE_DOWN, a repl-2 volume keeps serving from the other replica; ${t.said.repl}`;
  if (keepsPods) {
    return {
      // The node stays Online (StorageDown), the pod stays, the volume is served by the replica on
      // another node: writes continue. How long PX takes to fail over from a hung drive: no source.
      recoveryWithinMs: s(PX_RESTART_MARGIN_S),
      failedWritesAllowed: false,
      primaryMoves: false,
      holdMs: s(t.storkDeletes ? t.storkWorstS : DRIVE_HOLD_NO_STORK_S),
      source: `${common}; ${
        t.storkDeletes
          ? `${versionSaid} ≥ 23.5 keeps pods on StorageDown nodes (SOURCES.md "Surprises" 4); held past a poll + backoff + batch (${t.storkWorstS} s) so a deletion would show; ${t.said.stork}`
          : `${t.said.stork}: nothing deletes the pod; held ${DRIVE_HOLD_NO_STORK_S} s (harness choice)`
      }; writes back within ${PX_RESTART_MARGIN_S} s (harness margin, no source)`,
      notes:
        'Expect the node Online (StorageDown), the pod UID unchanged, writes continuing. Older PX put the node in maintenance mode instead (portworx.md), which Stork counts as offline: then the pod moves. Recovery of the node: drive back, maintenance enter/exit, STATUS_OK.',
    };
  }
  return {
    // Before 23.5 Stork mapped StorageDown to Degraded and deleted the pods; an unknown version may
    // do either.
    recoveryWithinMs: s(t.storkWorstS + POD_START_MARGIN_S),
    failedWritesAllowed: true,
    primaryMoves: version === undefined ? 'either' : true,
    holdMs: s(t.storkWorstS),
    source: `${common}; ${
      version === undefined
        ? `${versionSaid} (no version in its image tag): ≥ 23.5 keeps pods on StorageDown nodes, older deleted them (SOURCES.md "Surprises" 4)`
        : `${versionSaid} < 23.5 deletes pods off StorageDown nodes (SOURCES.md "Surprises" 4)`
    }; ${t.said.stork}: ${t.intervalS} s + ${t.backoffS} s + ${t.batchS} s = ${t.storkWorstS} s; + ${POD_START_MARGIN_S} s for the pod's start (harness margin, no source)`,
    notes:
      'Stork deletes the pod off the StorageDown node and the extender places it on a replica node: writes in flight fail, none acknowledged is lost.',
  };
}

/** How the pod gets off a faulted node: by Stork, or by the harness (the documented remedy), and when. */
export interface PortworxRecovery {
  readonly movedBy: 'stork' | 'harness';
  /**
   * For the profile's forceDeleteStuckPodAfterMs (a partition: the pod's node NotReady this long);
   * undefined where Stork moves the pod.
   */
  readonly forceDeleteStuckPodAfterMs?: number;
  /**
   * Delete the pod this long after PX was stopped on its node (agent down past grace: the px module
   * has failed its I/O by then); undefined where Stork moves the pod. Counted from the PX state
   * poller's px-node-offline (≤ one 5 s poll after the stop), stuck-pod-remedy.ts `storageDown`.
   */
  readonly deletePodAfterAgentDownMs?: number;
  /** The scheduler the StatefulSet must name: stork's extender when Stork runs, else Kubernetes' own. */
  readonly schedulerName: 'stork' | 'default-scheduler';
  readonly source: string;
}

export function portworxRecovery(detected: PortworxDetected): PortworxRecovery {
  const t = timings(detected);
  const schedulerName = t.storkRuns ? 'stork' : 'default-scheduler';
  const schedulerSaid = t.storkRuns
    ? `scheduler stork (its extender places the pod on a replica node, ${PD} "Network partition")`
    : 'scheduler default-scheduler (a pod naming stork would stay Pending with no Stork)';
  if (t.storkDeletes) {
    return {
      movedBy: 'stork',
      schedulerName,
      source: `${PD} "Agent down", "Network partition": ${t.said.stork} force-deletes pods off a node whose PX is offline; ${schedulerSaid}`,
    };
  }
  return {
    movedBy: 'harness',
    forceDeleteStuckPodAfterMs: s(HARNESS_FORCE_DELETE_AFTER_S),
    deletePodAfterAgentDownMs: s(t.pxdTimeoutS + EIO_TO_PANIC_MARGIN_S),
    schedulerName,
    source: `${PD} "Agent down", "Network partition": ${t.said.stork}, so nothing storage-aware moves the pod: the harness force-deletes it after ${HARNESS_FORCE_DELETE_AFTER_S} s NotReady (a partition) and deletes it ${EIO_TO_PANIC_MARGIN_S} s after ${t.said.pxd} (PX down: "delete the pod"); ${schedulerSaid}`,
  };
}
