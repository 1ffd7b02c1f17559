import { Command, CommanderError } from 'commander';
import { PxchaosError } from '../errors.js';
import { registerHealCommand } from './heal-command.js';
import { registerInjectCommand } from './inject-command.js';
import { registerKubeLabCommand } from './kube-lab-command.js';
import { registerLabCommand } from './lab-command.js';
import { registerPlanCommand } from './plan-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerReportCommand } from './report-command.js';
import { registerRunCommand } from './run-command.js';
import { registerTeardownCommand } from './teardown-command.js';
import { packageVersion } from '../harness-version.js';

/**
 * The `pxchaos` program with every verb registered. Other parts add theirs here
 * (`registerLabCommand(program)` ...); `program.command()` children inherit exitOverride.
 */
export function buildProgram(): Command {
  const program = new Command('pxchaos')
    .description('Resilience test harness for PostgreSQL on replicated storage')
    .version(packageVersion())
    .exitOverride()
    .showSuggestionAfterError();
  registerRunCommand(program);
  registerLabCommand(program);
  registerKubeLabCommand(program);
  registerInjectCommand(program);
  registerHealCommand(program);
  registerPlanCommand(program);
  registerReportCommand(program);
  registerReplayCommand(program);
  registerTeardownCommand(program);
  return program;
}

/** One line for the user; the stack only with PXCHAOS_DEBUG=1. Returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help)
    return err.exitCode === 0 ? 0 : 2;
  }
  const debug = process.env.PXCHAOS_DEBUG === '1';
  const message = err instanceof Error ? err.message : String(err);
  // Bad input is explained in full (a config error lists every bad key); anything else in one line.
  const text = err instanceof PxchaosError && err.exitCode === 2 ? message : message.split('\n')[0];
  process.stderr.write(`pxchaos: ${debug && err instanceof Error ? (err.stack ?? message) : text}\n`);
  return err instanceof PxchaosError ? err.exitCode : 1;
}

/** Runs the CLI; resolves to the exit code (bin/pxchaos.js exits with it). */
export async function main(
  argv: readonly string[] = process.argv,
  program: Command = buildProgram(),
): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err);
  }
}
