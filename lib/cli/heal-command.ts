import type { Command } from 'commander';
import { PxchaosError } from '../errors.js';
import { healOpenFaults } from '../faults/heal-open-faults.js';
import { FaultJournal } from '../faults/journal.js';

interface HealCliOptions {
  readonly all: boolean;
}

async function runHeal(options: HealCliOptions): Promise<void> {
  const journal = new FaultJournal();
  const outcomes = await healOpenFaults(journal, undefined, { includeRunning: options.all });
  if (outcomes.length === 0) {
    process.stdout.write(`nothing to heal (journal ${journal.path})\n`);
    return;
  }
  for (const o of outcomes) {
    process.stdout.write(`${o.action}: ${o.kind} on ${o.node} (${o.id})${o.detail ? `: ${o.detail}` : ''}\n`);
  }
  const failed = outcomes.filter((o) => o.action === 'failed').length;
  const unreadable = outcomes.filter((o) => o.action === 'unreadable').length;
  const problems = [
    ...(failed > 0 ? [`${failed} fault(s) could not be healed; they stay in the journal`] : []),
    ...(unreadable > 0
      ? [`${unreadable} unreadable journal line(s) reported above (acknowledged; not reported again)`]
      : []),
  ];
  if (problems.length > 0) throw new PxchaosError(problems.join('; '), 1);
}

export function registerHealCommand(program: Command): void {
  program
    .command('heal')
    .description('revert every fault still open in the journal (after a crash or kill -9); idempotent')
    .option('--all', 'also heal faults whose harness process is still running', false)
    .action((opts: HealCliOptions) => runHeal(opts));
}
