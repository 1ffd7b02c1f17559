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
