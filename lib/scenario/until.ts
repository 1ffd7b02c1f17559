import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveState } from './live-state.js';

/** A condition the scenario waits for while the fault is held (testcontainers' Wait strategies, for faults). */
export interface Condition {
  readonly description: string;
  /** `heldMs`: time since the fault took hold; `nowT`: the timeline clock. */
  met(live: LiveState, heldMs: number, nowT: number): boolean;
}

export const Until = {
  /** The fault has been held for `ms` (a restart within the grace window). */
  heldFor(ms: number): Condition {
    return { description: `fault held ${ms}ms`, met: (_l, heldMs) => heldMs >= ms };
  },
  /** Writes failed and have come back, without a failure for `stableMs` (a failover finished). */
  writesRecovered(stableMs = 3000): Condition {
    return {
      description: `writes recovered (stable ${stableMs}ms)`,
      met: (live, _h, nowT) => live.recoveredFor(stableMs, nowT),
    };
  },
  all(...conditions: Condition[]): Condition {
    return {
      description: conditions.map((c) => c.description).join(' and '),
      met: (live, heldMs, nowT) => conditions.every((c) => c.met(live, heldMs, nowT)),
    };
  },
} as const;

export interface WaitOptions {
  /** The clock `met` is asked with (the timeline's). */
  readonly clock: () => number;
  /** How long to wait from now. */
  readonly deadlineMs: number;
  /** Between two looks (default 250 ms). */
  readonly everyMs?: number;
  /** Runs at every look; throwing ends the wait (a vanished target). */
  readonly alsoCheck?: () => void;
  readonly signal?: AbortSignal;
}

/** Waits until `condition` is met or the deadline passes; says which, and how long it waited. */
export async function waitForCondition(
  condition: Condition,
  live: LiveState,
  options: WaitOptions,
): Promise<{ readonly met: boolean; readonly heldMs: number }> {
  const from = options.clock();
  const heldMs = (): number => options.clock() - from;
  for (;;) {
    if (condition.met(live, heldMs(), options.clock())) return { met: true, heldMs: heldMs() };
    if (heldMs() >= options.deadlineMs) return { met: false, heldMs: heldMs() };
    options.alsoCheck?.();
    await sleep(options.everyMs ?? 250, undefined, options.signal ? { signal: options.signal } : {});
  }
}
