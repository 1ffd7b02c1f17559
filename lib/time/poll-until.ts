import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` (true = done, a string = what is still missing, reported on change) until done or
 * the deadline. An error thrown by `check` ends the wait: catch transient ones inside `check`.
 */
export async function pollUntil(
  check: () => Promise<true | string>,
  timeoutMs: number,
  signal?: AbortSignal,
  onChange?: (state: string) => void,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    signal?.throwIfAborted();
    const state = await check();
    if (state === true) return;
    if (state !== last) onChange?.(state);
    last = state;
    if (performance.now() > deadline)
      throw new Error(`not within ${Math.round(timeoutMs / 1000)}s: ${state}`);
    await sleep(1000);
  }
}
