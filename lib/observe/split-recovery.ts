import type {
  FoundMilestone,
  MilestoneContext,
  PhaseMilestone,
  PhasePrediction,
  RecoveryPhase,
  TimingSettings,
} from './recovery-phase-plan.js';
import type { TimelineEvent } from './timeline-events.js';

/** The recovery to split: from the fault's injection to the success that ended the RTO. */
export interface RecoverySpan {
  readonly faultAt: number;
  readonly faultNode: string;
  readonly recoveredAt: number;
}

/** Every plan ends here: the RTO's own end, so the phases add up to it. */
export const FIRST_WRITE_PHASE = 'first_write';
const FIRST_WRITE_TITLE =
  'service back: the first acknowledged write (the success that closes the last unavailability window, rto_ms)';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * The recovery from `span.faultAt` to `span.recoveredAt` cut at each milestone of `plan` found in
 * the events, in the plan's order, then at the recovery itself (`first_write`). The phases tile
 * the span, so their durations add up to the RTO. A milestone without an event makes no boundary:
 * the stretch from the last one found to the next one found is one `unknown` phase naming the
 * phases it holds — never a guess. A milestone seen after a later one (a watch that polls: Patroni's
 * leader change seen after the first write on the new leader) cannot have happened after it: its
 * boundary is put at the later one, and the phase says so.
 */
export function splitRecovery(
  events: readonly TimelineEvent[],
  span: RecoverySpan,
  plan: readonly PhaseMilestone[],
  settings: TimingSettings = {},
): RecoveryPhase[] {
  const found: (FoundMilestone | undefined)[] = [];
  let after = span.faultAt;
  for (const milestone of plan) {
    const ctx: MilestoneContext = { events, ...span, after };
    const f = milestone.find(ctx);
    // Only events from the fault to the recovery bound it; a later sight is clamped below.
    const usable = f && f.t >= after ? f : undefined;
    found.push(usable);
    if (usable) after = usable.t;
  }
  interface Step {
    readonly m: Pick<PhaseMilestone, 'name' | 'title'>;
    readonly f: FoundMilestone | undefined;
    readonly predicted: PhasePrediction | undefined;
  }
  const steps: Step[] = [
    ...plan.map((m, i) => ({ m, f: found[i], predicted: m.predict?.(settings) })),
    {
      m: { name: FIRST_WRITE_PHASE, title: FIRST_WRITE_TITLE },
      f: { t: span.recoveredAt, evidence: 'rto_ms: the success closing the last unavailability window' },
      predicted: undefined,
    },
  ];
  // Each boundary at most the next one found (the recovery last), at least the previous one.
  const bounds: (number | undefined)[] = new Array<number | undefined>(steps.length);
  const boundBy: string[] = new Array<string>(steps.length);
  let next = { t: span.recoveredAt, name: FIRST_WRITE_PHASE };
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (!step?.f) continue;
    const t = Math.max(span.faultAt, Math.min(step.f.t, next.t));
    bounds[i] = t;
    boundBy[i] = next.name;
    if (t < next.t) next = { t, name: step.m.name };
  }

  const phases: RecoveryPhase[] = [];
  let start = span.faultAt;
  let pending: Step[] = [];
  steps.forEach((step, i) => {
    const end = bounds[i];
    if (!step.f || end === undefined) {
      pending.push(step);
      return;
    }
    const late =
      step.f.t > end + 0.5
        ? `seen at +${seconds(step.f.t - span.faultAt)}, after ${boundBy[i] ?? 'a later milestone'}'s event: it happened by then (+${seconds(end - span.faultAt)}), where this phase ends`
        : undefined;
    const common = {
      startMs: round(start - span.faultAt),
      endMs: round(end - span.faultAt),
      durationMs: round(end - start),
      evidence: step.f.evidence,
      ...(step.f.by !== undefined && { by: step.f.by }),
    };
    if (pending.length > 0) {
      const held = [...pending, step];
      phases.push({
        name: 'unknown',
        title: `unknown: ${held.map((s) => s.m.name).join(' + ')}`,
        ...common,
        note: `no event recorded for ${pending.map((s) => s.m.name).join(', ')}${late ? `; ${late}` : ''}`,
        covers: held.map((s) => ({
          name: s.m.name,
          title: s.m.title,
          ...(s.predicted && { predicted: s.predicted }),
        })),
      });
    } else {
      phases.push({
        name: step.m.name,
        title: step.m.title,
        ...common,
        ...(late && { note: late }),
        ...(step.predicted && { predicted: step.predicted }),
      });
    }
    pending = [];
    start = end;
  });
  return phases;
}

/**
 * The phases as result metrics: `phase_<name>_ms` for each measured one, `phase_unknown_ms` for
 * the stretches without events, `phase_<name>_by` for who ended it, and `phase_<name>_predicted_ms`
 * (the upper end of the prediction) for every phase the settings predict, measured or not.
 */
export function phaseMetrics(phases: readonly RecoveryPhase[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const predicted = (name: string, p: PhasePrediction | undefined) => {
    if (p) out[`phase_${name}_predicted_ms`] = round(p.highMs);
  };
  for (const p of phases) {
    if (p.name === 'unknown') {
      out.phase_unknown_ms = round((Number(out.phase_unknown_ms) || 0) + p.durationMs);
      for (const c of p.covers ?? []) predicted(c.name, c.predicted);
    } else {
      out[`phase_${p.name}_ms`] = p.durationMs;
      predicted(p.name, p.predicted);
    }
    if (p.by !== undefined && p.name !== 'unknown') out[`phase_${p.name}_by`] = p.by;
  }
  return out;
}
