import { healOpenFaults } from '../faults/heal-open-faults.js';
import { FaultJournal } from '../faults/journal.js';

const HEAL_TIMEOUT_MS = 60_000;

/**
 * Before a scenario arranges anything: heals the faults a dead run left open (kill -9, a crash),
 * as `pxchaos heal` does, and reports unreadable journal lines. Otherwise the lab may be called
 * healthy while its leader is still cut off, and the scenario waits for the node-side timer.
 * Returns one line per thing found (healed, node gone, could not heal, unreadable); [] when clean.
 * Faults of runs still alive are theirs (the run lock keeps them off this lab).
 */
export async function healDeadRunsFaults(journal = new FaultJournal()): Promise<string[]> {
  const outcomes = await healOpenFaults(journal, undefined, {
    timeoutMs: 30_000,
    signal: AbortSignal.timeout(HEAL_TIMEOUT_MS),
  });
  return outcomes
    .filter((o) => o.action !== 'skipped-owner-running')
    .map((o) => {
      const what = `${o.kind} on ${o.node} (${o.id}) left by a dead run`;
      switch (o.action) {
        case 'healed':
          return `healed ${what}`;
        case 'node-gone':
          return `closed ${what}: its node is gone`;
        case 'unreadable':
          return o.detail ?? `unreadable journal line ${o.id}`;
        default:
          return `could not heal ${what}: ${o.detail ?? 'unknown error'}; it stays in the journal`;
      }
    });
}
