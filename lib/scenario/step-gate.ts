import { createInterface } from 'node:readline/promises';
import type { LiveView } from '../live/live-view.js';

export interface StepGateOptions {
  readonly signal?: AbortSignal;
  /** `--live`: the page's "Next" releases the step too (Enter still does, on a terminal). */
  readonly view?: LiveView | undefined;
}

/**
 * `--step` for workshop demos: before each action, print a one-line explanation and wait for Enter
 * (or "Next" on the live page). Without a terminal and without a live page (CI) it only prints, so
 * a demo config can never hang a pipeline.
 */
export async function stepGate(
  enabled: boolean,
  explanation: string,
  { signal, view }: StepGateOptions = {},
): Promise<void> {
  if (!enabled) return;
  process.stderr.write(`\n  ▶ ${explanation}\n`);
  if (!process.stdin.isTTY && !view) return;
  const released = new AbortController();
  const stop = signal ? AbortSignal.any([signal, released.signal]) : released.signal;
  const enter = process.stdin.isTTY
    ? pressEnter(view ? 'press Enter, or Next on the live page ' : 'press Enter to continue ', stop)
    : undefined;
  try {
    await (view ? view.waitForNext(explanation, enter, stop) : enter);
  } finally {
    released.abort();
  }
}

/** Resolves on Enter, or when `signal` aborts (released elsewhere). */
async function pressEnter(prompt: string, signal: AbortSignal): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    await rl.question(`    ${prompt}`, { signal }).catch((err: unknown) => {
      if (!signal.aborted) throw err;
    });
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
