import type { ExecResult } from '../nodes/exec-result.js';
import type { NodeAccess } from '../nodes/node-access.js';

/** Where a check runs: on the fault's node, or on the peer that looks at it from outside. */
export type CheckSide = 'node' | 'peer';

/** What one check's result was: whether it is the expected one, and what it was in one line. */
export interface CheckJudgement {
  readonly ok: boolean;
  readonly detail: string;
}

/** One node command that shows whether a fault holds: `inject()` runs it, `pxchaos plan` prints it. */
export interface NodeCheck {
  readonly on: CheckSide;
  readonly argv: readonly string[];
  /** What its result must be, in words ("must exit 0 (agent up)"). */
  readonly expect: string;
  readonly timeoutMs: number;
  judge(result: ExecResult): CheckJudgement;
}

/**
 * Checks that must keep passing for the whole hold, not only once after the inject: a stopped
 * agent that something else starts again (Portworx's monitor) would otherwise still read as "in
 * force" (fault.ts runs them every `everyMs` from the verification until the heal begins).
 */
export interface HeldVerification {
  readonly checks: readonly NodeCheck[];
  readonly everyMs: number;
  /** What a failed one means, for the timeline ("agent up again on n2"). */
  readonly lapsedShows: string;
}

/** How a fault is shown to have taken hold, to hold for its whole hold, and to be gone after its heal. */
export interface FaultVerification {
  readonly inForce: readonly NodeCheck[];
  readonly held?: HeldVerification;
  readonly healed: readonly NodeCheck[];
  /** How often the healed checks are tried before the heal is called failed (default 1). */
  readonly healedTries?: number;
  /** What the passed checks show, for the timeline and `pxchaos inject` ("from n2: TCP to n1:5432 times out"). */
  readonly inForceShows: string;
  readonly healedShows: string;
}

/** Runs the checks at once, each on its side's node; resolves to every judgement, in order. */
export async function runChecks(
  checks: readonly NodeCheck[],
  nodes: Readonly<Record<CheckSide, NodeAccess | undefined>>,
  signal?: AbortSignal,
): Promise<readonly CheckJudgement[]> {
  return Promise.all(
    checks.map(async (c) => {
      const on = nodes[c.on];
      if (!on) throw new Error(`no ${c.on} node to run '${c.argv.join(' ')}' on`);
      const result = await on.exec(c.argv, {
        check: false,
        timeoutMs: c.timeoutMs,
        ...(signal && { signal }),
      });
      return c.judge(result);
    }),
  );
}
