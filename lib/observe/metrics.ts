import { checkLedger } from './ledger-check.js';
import type { TimelineMeasurements } from './timeline.js';
import type { FaultEvent, ProbeEvent, TimelineEvent, WriteEvent } from './timeline-events.js';

/**
 * Metrics are pure functions of a saved timeline (events + measurements), so any verdict can be
 * recomputed from the file. Only `t` (monotonic ms since start) is used; `wall` never is.
 *
 * Definitions
 * - Write-path operation: a ledger write, or a probe whose mode is not 'read'.
 * - A success is observed at its completion (t + latencyMs): the path served at that moment.
 *   A failure (failed, unknown, probe not ok) is observed at its send time t: the path did not serve
 *   a request made then. Timeouts therefore open a window at the send of the request that hung.
 * - Unavailability window: from a failure observed while the path was considered available to the
 *   next success observed after it. The path is considered available before the first observation.
 *   A window still open when observations end closes at the last observation and is flagged open.
 * - RTO: fault injected (the first 'injected' fault event) → the success that closes the last window
 *   ending after the injection and starting before the heal began (the first 'healing' event, else
 *   'healed'). Failures the heal itself causes — a restored drive's bricks rejoining, measured on
 *   Gluster: writes over 500 ms for 5 s, once 4 writes failed — are reported as
 *   post_heal_unavailable_ms and failed_after_heal / unknown_after_heal, not as RTO. Edge cases:
 *     no failure after the injection → rto_ms 0, rto_basis 'no-failure' (a slowdown shorter than the
 *       write deadline is not unavailability; see write_stall_ms);
 *     still failing when observations end → rto_ms Infinity, recovered 'no', rto_lower_bound_ms;
 *     no fault event → no rto_ms, recovered 'no-fault';
 *     recovery before the fault was verified → RTO still counts from the injection; compare with
 *       fault_verified_ms.
 * - write_stall_ms: the longest time between consecutive acknowledgements (completion times),
 *   including from the first write's send to the first ack and from the last ack to the end of
 *   write activity.
 * - RPO: acknowledged writes missing from the ledger read-back (lost_acked, lost_acked_ids) and the
 *   span between the first and the last of them (send times).
 */
export type Metrics = Record<string, number | string>;

export interface MetricOptions {
  /** Override the moment the fault counts from (default: the first 'injected' fault event). */
  readonly faultAt?: number;
  /** How many lost ids to name in lost_acked_ids (default 50). */
  readonly maxListedIds?: number;
}

export interface UnavailabilityWindow {
  readonly start: number;
  readonly end: number;
  /** True when no success closed it before observations ended. */
  readonly open: boolean;
}

interface Observation {
  readonly at: number;
  readonly ok: boolean;
}

function isWritePath(e: TimelineEvent): e is WriteEvent | ProbeEvent {
  return e.kind === 'write' || (e.kind === 'probe' && e.mode !== 'read');
}

function succeeded(e: WriteEvent | ProbeEvent): boolean {
  return e.kind === 'write' ? e.outcome === 'acked' : e.ok;
}

/** Latest moment anything was observed: event times and operation completions. */
export function observationEnd(events: readonly TimelineEvent[]): number {
  let end = 0;
  for (const e of events) {
    end = Math.max(end, e.t + (e.kind === 'write' || e.kind === 'probe' ? Math.max(0, e.latencyMs) : 0));
  }
  return end;
}

/** Windows with no successful write-path operation, in time order. */
export function unavailabilityWindows(events: readonly TimelineEvent[]): UnavailabilityWindow[] {
  const observations: Observation[] = [];
  for (const e of events) {
    if (!isWritePath(e)) continue;
    const ok = succeeded(e);
    observations.push({ at: ok ? e.t + Math.max(0, e.latencyMs) : e.t, ok });
  }
  // On a tie the failure comes first, so a simultaneous success closes it (a zero-length window).
  observations.sort((a, b) => a.at - b.at || Number(a.ok) - Number(b.ok));
  const windows: UnavailabilityWindow[] = [];
  let openedAt: number | undefined;
  for (const o of observations) {
    if (!o.ok && openedAt === undefined) openedAt = o.at;
    else if (o.ok && openedAt !== undefined) {
      windows.push({ start: openedAt, end: o.at, open: false });
      openedAt = undefined;
    }
  }
  if (openedAt !== undefined)
    windows.push({ start: openedAt, end: Math.max(openedAt, observationEnd(events)), open: true });
  return windows;
}

function firstFault(
  events: readonly TimelineEvent[],
  phase: FaultEvent['phase'],
  after = -Infinity,
): number | undefined {
  return events.find((e): e is FaultEvent => e.kind === 'fault' && e.phase === phase && e.t >= after)?.t;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

const round = (ms: number): number => (Number.isFinite(ms) ? Math.round(ms * 10) / 10 : ms);

function metricName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Every figure of one scenario, from its timeline alone. */
export function computeMetrics(
  input: { readonly events: readonly TimelineEvent[]; readonly measurements?: TimelineMeasurements },
  options: MetricOptions = {},
): Metrics {
  const events = [...input.events].sort((a, b) => a.t - b.t);
  const metrics: Metrics = { ...(input.measurements?.values ?? {}) };
  const end = observationEnd(events);
  metrics.observed_ms = round(end);

  // Availability
  const windows = unavailabilityWindows(events).filter((w) => w.end > w.start || w.open);
  metrics.unavailable_ms = round(windows.reduce((sum, w) => sum + (w.end - w.start), 0));
  metrics.longest_unavailable_ms = round(windows.reduce((max, w) => Math.max(max, w.end - w.start), 0));
  metrics.unavailable_windows = windows.length;

  // Fault timing and RTO
  const faultAt = options.faultAt ?? firstFault(events, 'injected');
  const healStart =
    faultAt === undefined
      ? undefined
      : (firstFault(events, 'healing', faultAt) ?? firstFault(events, 'healed', faultAt));
  if (faultAt === undefined) {
    metrics.recovered = 'no-fault';
  } else {
    metrics.fault_injected_t = round(faultAt);
    const verified = firstFault(events, 'verified', faultAt);
    const healed = firstFault(events, 'healed', faultAt);
    if (verified !== undefined) metrics.fault_verified_ms = round(verified - faultAt);
    if (healStart !== undefined) metrics.fault_heal_started_ms = round(healStart - faultAt);
    if (healed !== undefined) metrics.fault_healed_ms = round(healed - faultAt);
    const during = windows.filter(
      (w) => (w.end > faultAt || w.open) && (healStart === undefined || w.start < healStart),
    );
    const last = during[during.length - 1];
    if (!last) {
      metrics.rto_ms = 0;
      metrics.rto_basis = 'no-failure';
      metrics.recovered = 'yes';
    } else if (last.open) {
      metrics.rto_ms = Infinity;
      metrics.rto_lower_bound_ms = round(end - faultAt);
      metrics.rto_basis = 'never-recovered';
      metrics.recovered = 'no';
    } else {
      metrics.rto_ms = round(last.end - faultAt);
      metrics.rto_basis = 'window';
      metrics.recovered = 'yes';
    }
    if (healStart !== undefined) {
      const after = windows.filter((w) => w.start >= healStart);
      metrics.post_heal_unavailable_ms = round(after.reduce((sum, w) => sum + (w.end - w.start), 0));
    }
    // First occurrence of each platform event after the fault: detection/settle times.
    for (const e of events) {
      if (e.kind !== 'platform' || e.t < faultAt) continue;
      const name = `platform_${metricName(e.event)}_ms`;
      if (!(name in metrics)) metrics[name] = round(e.t - faultAt);
    }
  }

  // Write outcomes, latency and stall
  const writes = events.filter((e): e is WriteEvent => e.kind === 'write');
  const acked = writes.filter((w) => w.outcome === 'acked');
  metrics.writes = writes.length;
  metrics.acked = acked.length;
  metrics.failed = writes.filter((w) => w.outcome === 'failed').length;
  metrics.unknown = writes.filter((w) => w.outcome === 'unknown').length;
  if (healStart !== undefined) {
    const sentAfterHeal = (w: WriteEvent): boolean => w.t >= healStart;
    metrics.failed_after_heal = writes.filter((w) => w.outcome === 'failed' && sentAfterHeal(w)).length;
    metrics.unknown_after_heal = writes.filter((w) => w.outcome === 'unknown' && sentAfterHeal(w)).length;
  }
  const latencies = acked.map((w) => w.latencyMs).sort((a, b) => a - b);
  metrics.write_latency_p50_ms = round(percentile(latencies, 50));
  metrics.write_latency_p99_ms = round(percentile(latencies, 99));
  metrics.write_latency_max_ms = round(latencies[latencies.length - 1] ?? 0);
  metrics.write_stall_ms = round(writeStall(writes));

  const probes = events.filter((e): e is ProbeEvent => e.kind === 'probe');
  metrics.probes = probes.length;
  metrics.probe_failed = probes.filter((p) => !p.ok).length;

  // Durability (needs the ledger read-back)
  const readBack = input.measurements?.ledger;
  if (readBack) {
    const check = checkLedger(writes, readBack);
    const max = options.maxListedIds ?? 50;
    metrics.lost_acked = check.lostAcked.length;
    metrics.lost_acked_span_ms =
      check.lostAckedFromT !== undefined && check.lostAckedToT !== undefined
        ? round(check.lostAckedToT - check.lostAckedFromT)
        : 0;
    if (check.lostAckedFromT !== undefined) metrics.lost_acked_from_t = round(check.lostAckedFromT);
    metrics.lost_acked_ids = listIds(check.lostAcked, max);
    metrics.changed_acked = check.changedAcked.length;
    metrics.changed_acked_ids = listIds(check.changedAcked, max);
    metrics.unknown_committed = check.unknownCommitted.length;
    metrics.unknown_not_committed = check.unknownNotCommitted.length;
    metrics.failed_committed = check.failedCommitted.length;
    metrics.failed_committed_ids = listIds(check.failedCommitted, max);
    metrics.duplicates = check.duplicates.length;
    metrics.duplicate_ids = listIds(check.duplicates, max);
    metrics.unexpected_rows = check.unexpected.length;
    metrics.ledger_rows = readBack.rows;
  }
  return metrics;
}

function listIds(ids: readonly number[], max: number): string {
  const shown = ids.slice(0, max).join(',');
  return ids.length > max ? `${shown},... (${ids.length - max} more)` : shown;
}

function writeStall(writes: readonly WriteEvent[]): number {
  if (writes.length === 0) return 0;
  let firstSend = Infinity;
  let lastEnd = -Infinity;
  for (const w of writes) {
    firstSend = Math.min(firstSend, w.t);
    lastEnd = Math.max(lastEnd, w.t + Math.max(0, w.latencyMs));
  }
  const acks = writes
    .filter((w) => w.outcome === 'acked')
    .map((w) => w.t + Math.max(0, w.latencyMs))
    .sort((a, b) => a - b);
  let stall = 0;
  let previous = firstSend;
  for (const at of acks) {
    stall = Math.max(stall, at - previous);
    previous = at;
  }
  return Math.max(stall, lastEnd - previous);
}
