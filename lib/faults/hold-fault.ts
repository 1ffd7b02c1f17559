import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../time/duration.js';
import { inject, type FaultPhase } from './fault.js';
import type { FaultPlan } from './fault-plan.js';
import { FaultJournal } from './journal.js';

/** One progress line per lifecycle event of a fault held by hand. */
function eventLine(journal: FaultJournal, phase: FaultPhase, detail: string | undefined): string {
  if (phase === 'journaled') return `journaled in ${journal.path}: ${detail ?? ''}`;
  if (phase === 'verified') return `verified${detail ? ` ${detail}` : ''}`;
  if (phase === 'heal-verified') return `verified healed${detail ? `: ${detail}` : ''}`;
  return `${phase}${detail ? `: ${detail}` : ''}`;
}

/**
 * Applies a fault (`pxchaos inject`), keeps it for forMs, then heals it. Ctrl-C/SIGTERM heal it
 * sooner: inject() heals its faults on signals while they are active.
 */
export async function holdFault(
  plan: FaultPlan,
  forMs: number,
  say: (line: string) => void,
  journal: FaultJournal = new FaultJournal(),
): Promise<void> {
  const fault = await inject(plan, {
    journal,
    onEvent: (phase, detail) => say(eventLine(journal, phase, detail)),
  });
  say(
    `${plan.kind} of ${plan.node.name} in force (fault ${fault.id}); healing in ${formatDuration(forMs)}, ` +
      `Ctrl-C heals now; node-side auto-revert at ${new Date(fault.expiresAt).toISOString()}`,
  );
  await sleep(forMs);
  await fault.heal();
  say('done');
}
