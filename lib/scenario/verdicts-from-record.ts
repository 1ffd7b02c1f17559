import { z } from 'zod';
import { computeMetrics, type Metrics } from '../observe/metrics.js';
import type { TimelineData } from '../observe/timeline.js';
import type { RecoveryPhase } from '../observe/recovery-phase-plan.js';
import { phaseMetrics } from '../observe/split-recovery.js';
import { phasesFromRecord } from './phases-from-record.js';
import { SCENARIO_NAMES } from '../config/config-schema.js';
import {
  interruptedVerdicts,
  scenarioVerdicts,
  type CheckedVerdict,
  type FlowFacts,
} from './scenario-verdicts.js';

const strings = z.array(z.string());
/** FlowFacts as saved in a timeline (measurements.flow.facts). */
const flowFactsSchema = z.object({
  kind: z.enum(SCENARIO_NAMES),
  target: z.string().optional(),
  sut: z.string().optional(),
  expectation: z
    .object({
      recoveryWithinMs: z.number(),
      failedWritesAllowed: z.boolean(),
      primaryMoves: z.union([z.boolean(), z.literal('either')]),
      holdMs: z.number(),
      settleWithinMs: z.number().optional(),
      source: z.string(),
      notes: z.string().optional(),
    })
    .optional(),
  faultVerified: z.boolean().optional(),
  faultError: z.string().optional(),
  faultLapsed: z.string().optional(),
  health: z.object({ healthy: z.boolean(), primary: z.string().optional(), problems: strings }).optional(),
  leftovers: strings.optional(),
  outsideFaults: strings.optional(),
  timings: z.record(z.string(), z.object({ ms: z.number(), source: z.string() })).optional(),
});

export interface Judged {
  readonly metrics: Metrics;
  readonly checks: readonly CheckedVerdict[];
  readonly durationMs: number;
  /** The recovery in phases, where it splits (phases-from-record.ts); their figures are in `metrics`. */
  readonly phases?: readonly RecoveryPhase[];
}

/**
 * A scenario's metrics and checks from its saved record alone (events, measurements, the flow's
 * facts): the run judges this way, and `pxchaos report render` again from the file. Undefined for a
 * timeline without the flow's facts (written by an older harness): its saved verdicts stand.
 */
export function verdictsFromRecord(data: TimelineData): Judged | undefined {
  const flow = data.measurements.flow;
  if (!flow) return undefined;
  const metrics = computeMetrics(data);
  if (flow.interrupted) {
    const { reason, phase } = flow.interrupted;
    return { metrics, checks: interruptedVerdicts(reason, phase), durationMs: flow.durationMs };
  }
  const parsed = flowFactsSchema.safeParse(flow.facts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the flow's facts are not readable: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const facts: FlowFacts = parsed.data;
  const phases = phasesFromRecord(data, facts.kind, metrics, facts.timings);
  Object.assign(metrics, phases && phaseMetrics(phases));
  return {
    metrics,
    checks: scenarioVerdicts(facts, metrics, flow.error),
    durationMs: flow.durationMs,
    ...(phases && { phases }),
  };
}
