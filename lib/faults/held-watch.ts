import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeAccess } from '../nodes/node-access.js';
import { formatDuration } from '../time/duration.js';
import { runChecks, type CheckSide, type HeldVerification } from './fault-checks.js';

export interface HeldWatch {
  /** Ends the watch: a check under way is aborted and its result ignored (the heal may be reverting). */
  stop(): void;
}

/**
 * Runs a fault's held checks every `everyMs` from now until stopped; the first round in which one
 * fails is the fault's lapse, reported once with how far into the hold it came, and the watch ends.
 * A check that cannot run (the node unreachable) is no evidence either way: the next round tries
 * again. Its timers never keep the process alive on their own.
 */
export function watchHeld(
  held: HeldVerification,
  nodes: Readonly<Record<CheckSide, NodeAccess | undefined>>,
  onLapse: (detail: string) => void,
): HeldWatch {
  const stopped = new AbortController();
  const { signal } = stopped;
  const since = performance.now();
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      await sleep(held.everyMs, undefined, { signal, ref: false }).catch(() => undefined);
      if (signal.aborted) return;
      const judged = await runChecks(held.checks, nodes, signal).catch(() => undefined);
      if (signal.aborted) return;
      const failed = judged?.filter((j) => !j.ok) ?? [];
      if (failed.length > 0) {
        const after = formatDuration(performance.now() - since);
        onLapse(`${held.lapsedShows} ${after} into the hold: ${failed.map((j) => j.detail).join('; ')}`);
        return;
      }
    }
  };
  void loop();
  return { stop: () => stopped.abort() };
}
