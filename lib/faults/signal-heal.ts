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

export type InterruptReason = 'SIGINT' | 'SIGTERM' | 'uncaughtException' | 'unhandledRejection';
type Reason = InterruptReason;

/** Work that must still happen on the way out, after the heal (a run writing its reports). */
type InterruptHook = (reason: Reason) => Promise<void>;
const hooks: InterruptHook[] = [];
/** A hook that does not finish in this time is abandoned: the exit must not hang. */
const HOOK_TIMEOUT_MS = 20_000;
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

let signalsInstalled = false;
let crashesInstalled = false;

/**
 * Signals are caught while a fault is active or a hook is registered; uncaught errors only while a
 * fault is active (a test runner in this process handles its own otherwise).
 */
function sync(): void {
  const wantSignals = tracked.size > 0 || hooks.length > 0;
  const wantCrashes = tracked.size > 0;
  if (wantSignals !== signalsInstalled) {
    const on = wantSignals ? process.on.bind(process) : process.off.bind(process);
    on('SIGINT', onSigint);
    on('SIGTERM', onSigterm);
    signalsInstalled = wantSignals;
  }
  if (wantCrashes !== crashesInstalled) {
    const on = wantCrashes ? process.on.bind(process) : process.off.bind(process);
    on('uncaughtException', onException);
    on('unhandledRejection', onRejection);
    crashesInstalled = wantCrashes;
  }
}

function say(line: string): void {
  process.stderr.write(`pxchaos: ${line}\n`);
}

/**
 * A second signal does not wait for the heal (nor for closing a target): it says why, runs the
 * interrupt hooks (the reports) if they have not run yet, for at most this long, and exits.
 */
const SECOND_SIGNAL_BOUND_MS = 5_000;
let hooksRun: Promise<void> | undefined;
let leaving = false;

async function healAllAndExit(reason: Reason, err?: unknown): Promise<void> {
  if (healing) return leaveNow(reason);
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
  say(`${reason}: healing ${faults.length} active fault(s) before exiting (${reason} again exits at once)`);
  const results = await Promise.allSettled(faults.map((f) => f.heal()));
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      say(
        `could not heal ${faults[i]?.label ?? '?'}: ${(r.reason as Error)?.message ?? String(r.reason)}; run 'pxchaos heal'`,
      );
    }
  });
  await runHooks(reason, HOOK_TIMEOUT_MS);
  process.exit(EXIT_CODE[reason]);
}

/** Once per process: the hooks, last registered first (the scenario saves its result before the run writes the reports). */
function runHooks(reason: Reason, eachMs: number): Promise<void> {
  hooksRun ??= (async () => {
    for (const hook of [...hooks].reverse()) {
      try {
        await Promise.race([
          hook(reason),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), eachMs).unref()),
        ]);
      } catch (hookErr) {
        say(`${reason}: ${(hookErr as Error).message}`);
      }
    }
  })();
  return hooksRun;
}

/** The second signal: say what is left undone and why, write what can be written quickly, exit. */
async function leaveNow(reason: Reason): Promise<never> {
  // A third signal while the reports are written: out at once.
  if (leaving) process.exit(EXIT_CODE[reason]);
  leaving = true;
  const open = tracked.size;
  say(
    `${reason} again: exiting without waiting${open ? ` for the heal of ${open} fault(s)` : ''}` +
      ` — the node-side auto-revert timers still revert every fault on schedule, and 'pxchaos heal' reverts them now;` +
      ` the next run removes what this one arranged.` +
      ` Writing what reports can be written (at most ${SECOND_SIGNAL_BOUND_MS / 1000} s)`,
  );
  await Promise.race([
    runHooks(reason, SECOND_SIGNAL_BOUND_MS),
    new Promise((resolve) => setTimeout(resolve, SECOND_SIGNAL_BOUND_MS).unref()),
  ]);
  process.exit(EXIT_CODE[reason]);
}

/**
 * Registers an active fault's heal for signal/crash handling; returns the function that unregisters
 * it (idempotent). Call it as soon as the fault is journaled, before it touches the node.
 */
export function trackActiveFault(label: string, heal: () => Promise<void>): () => void {
  const entry: Tracked = { label, heal };
  tracked.add(entry);
  sync();
  return () => {
    if (!tracked.delete(entry)) return;
    sync();
  };
}

/**
 * Registers work to do on SIGINT/SIGTERM (and on a crash while a fault is active) after the active
 * faults are healed and before the process exits with 130/143/1; returns the unregister function.
 * While a hook is registered, the signals are caught even when no fault is active.
 */
export function onInterrupt(hook: InterruptHook): () => void {
  hooks.push(hook);
  sync();
  return () => {
    const i = hooks.indexOf(hook);
    if (i < 0) return;
    hooks.splice(i, 1);
    sync();
  };
}

/** How many faults are tracked (for tests and diagnostics). */
export function trackedFaultCount(): number {
  return tracked.size;
}
