import { createInterface } from 'node:readline/promises';

/**
 * `--step` for workshop demos: before each action, print a one-line explanation and wait for Enter.
 * Without a terminal (CI) it only prints, so a demo config can never hang a pipeline.
 */
export async function stepGate(enabled: boolean, explanation: string, signal?: AbortSignal): Promise<void> {
  if (!enabled) return;
  process.stderr.write(`\n  ▶ ${explanation}\n`);
  if (!process.stdin.isTTY) return;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    await rl.question('    press Enter to continue ', signal ? { signal } : {});
  } finally {
    rl.close();
  }
}

/**
 * `--step`, for what must not wait: a time-bound action (the scheduled heal of a fault in force)
 * happens on time and is only announced. The pause comes before the next action instead.
 */
export function stepNote(enabled: boolean, line: string): void {
  if (enabled) process.stderr.write(`\n  ▶ ${line}\n`);
}
