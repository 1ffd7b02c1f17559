import type {
  FaultEvent,
  ProbeEvent,
  TimelineEvent,
  WriteEvent,
} from '../../../lib/observe/timeline-events.js';

/** Builders for hand-made timelines with known answers. `wall` is deliberately unrelated to `t`. */
let nextId = 1;

export function write(t: number, outcome: WriteEvent['outcome'], latencyMs = 5, id = nextId++): WriteEvent {
  return { kind: 'write', t, wall: 1_700_000_000_000 + t, id, outcome, latencyMs };
}

export function probe(t: number, ok: boolean, latencyMs = 2, mode?: ProbeEvent['mode']): ProbeEvent {
  return { kind: 'probe', t, wall: 1_700_000_000_000 + t, ok, latencyMs, ...(mode ? { mode } : {}) };
}

export function fault(t: number, phase: FaultEvent['phase']): FaultEvent {
  return { kind: 'fault', t, wall: 1_700_000_000_000 + t, phase, fault: 'partition', node: 'n1' };
}

/** Writes every `every` ms in [from, to) with the given outcome. */
export function writes(
  from: number,
  to: number,
  every: number,
  outcome: WriteEvent['outcome'],
  latencyMs = 5,
): WriteEvent[] {
  const list: WriteEvent[] = [];
  for (let t = from; t < to; t += every) list.push(write(t, outcome, latencyMs));
  return list;
}

export function sorted(events: TimelineEvent[]): TimelineEvent[] {
  return [...events].sort((a, b) => a.t - b.t);
}
