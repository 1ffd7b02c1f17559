import type { TimelineData } from './timeline.js';

/** The step the read-back starts with (lib/scenario/flow/read-back.ts): the SUT has settled. */
const READ_BACK_STEP = /^assert: read back /;

/**
 * A scenario's wall time against the part of it the SUT itself takes: from the fault's injection
 * to its heal (the hold, detection, eviction, recovery and the stable window the flow waits for)
 * and from the heal to settled (the heal itself and the storage's self-repair). The rest is the
 * harness's: arranging (target, data, digest, the baseline), the read-back and the judging.
 */
export interface ScenarioFloor {
  readonly wallMs: number;
  /** Fault in force: injected → the heal starts. */
  readonly faultMs: number;
  /** The heal starts → settled (the read-back begins). */
  readonly settleMs: number;
  /** faultMs + settleMs; 0 when no fault was injected (a refused placement, a failure before it). */
  readonly floorMs: number;
}

export function scenarioFloor(data: TimelineData): ScenarioFloor {
  const wallMs = data.measurements.flow?.durationMs ?? data.events.at(-1)?.t ?? 0;
  const at = (test: (e: TimelineData['events'][number]) => boolean): number | undefined =>
    data.events.find(test)?.t;
  const injected = at((e) => e.kind === 'fault' && e.phase === 'injected');
  const healing = at((e) => e.kind === 'fault' && (e.phase === 'healing' || e.phase === 'healed'));
  const readBack = at((e) => e.kind === 'step' && READ_BACK_STEP.test(e.name));
  if (injected === undefined || healing === undefined) return { wallMs, faultMs: 0, settleMs: 0, floorMs: 0 };
  const faultMs = Math.max(0, healing - injected);
  const settleMs = readBack === undefined ? 0 : Math.max(0, readBack - healing);
  return { wallMs, faultMs, settleMs, floorMs: faultMs + settleMs };
}
