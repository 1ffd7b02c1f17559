import { inspect } from 'node:util';

/**
 * While faults are active, SIGINT / SIGTERM / an uncaught exception / an unhandled rejection heal
 * them all before the process exits (130 / 143 / 1). Listeners are installed with the first active
 * fault and removed with the last, so nothing leaks between faults or tests.
 */

interface Tracked {
  readonly label: string;
  readonly heal: () => Promise<void>;
}

const tracked = new Set<Tracked>();
let healing = false;

type Reason = 'SIGINT' | 'SIGTERM' | 'uncaughtException' | 'unhandledRejection';
const EXIT_CODE: Record<Reason, number> = {
  SIGINT: 130,
  SIGTERM: 143,
  uncaughtException: 1,
  unhandledRejection: 1,
};

const onSigint = (): void => void healAllAndExit('SIGINT');
const onSigterm = (): void => void healAllAndExit('SIGTERM');
const onException = (err: unknown): void => void healAllAndExit('uncaughtException', err);
const onRejection = (err: unknown): void => void healAllAndExit('unhandledRejection', err);

function install(): void {
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
}

function uninstall(): void {
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.off('uncaughtException', onException);
  process.off('unhandledRejection', onRejection);
}

function say(line: string): void {
  process.stderr.write(`pxchaos: ${line}\n`);
}

async function healAllAndExit(reason: Reason, err?: unknown): Promise<void> {
  if (healing) {
    // A second Ctrl-C while healing: leave now; the node-side timers and `pxchaos heal` remain.
    say(`${reason} again: exiting without waiting; run 'pxchaos heal' (auto-revert timers are armed)`);
    process.exit(EXIT_CODE[reason]);
  }
  healing = true;
  if (err !== undefined) {
    const text =
      err instanceof Error
        ? process.env.PXCHAOS_DEBUG === '1'
          ? (err.stack ?? err.message)
          : err.message
        : inspect(err);
    say(`${reason}: ${text}`);
  }
  const faults = [...tracked];
  say(`${reason}: healing ${faults.length} active fault(s) before exiting`);
  const results = await Promise.allSettled(faults.map((f) => f.heal()));
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      say(
        `could not heal ${faults[i]?.label ?? '?'}: ${(r.reason as Error)?.message ?? String(r.reason)}; run 'pxchaos heal'`,
      );
    }
  });
  process.exit(EXIT_CODE[reason]);
}

/**
 * Registers an active fault's heal for signal/crash handling; returns the function that unregisters
 * it (idempotent). Call it as soon as the fault is journaled, before it touches the node.
 */
export function trackActiveFault(label: string, heal: () => Promise<void>): () => void {
  const entry: Tracked = { label, heal };
  if (tracked.size === 0) install();
  tracked.add(entry);
  return () => {
    if (!tracked.delete(entry)) return;
    if (tracked.size === 0) uninstall();
  };
}

/** How many faults are tracked (for tests and diagnostics). */
export function trackedFaultCount(): number {
  return tracked.size;
}
