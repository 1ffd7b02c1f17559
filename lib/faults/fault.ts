import { randomBytes } from 'node:crypto';
import type { FaultEvent } from '../observe/timeline-events.js';
import type { AddressOf, FaultPlan } from './fault-plan.js';
import { runChecks, type CheckJudgement } from './fault-checks.js';
import { cancelAutoRevertTimer, timerMarker, timerThenArgv } from './auto-revert-timer.js';
import { watchHeld, type HeldWatch } from './held-watch.js';
import type { FaultJournal } from './journal.js';
import { NodeGoneError } from '../nodes/exec-errors.js';
import { nodeIpv4 } from '../nodes/node-ipv4.js';
import { trackActiveFault } from './signal-heal.js';

export type FaultPhase = FaultEvent['phase'];

export interface InjectOptions {
  readonly journal: FaultJournal;
  readonly signal?: AbortSignal;
  /**
   * Mirrors the lifecycle into the timeline: journaled, injected, verified, healing, healed,
   * heal-verified; `lapsed` when a fault whose verification says it must hold for its whole hold
   * (FaultVerification.held) was found gone before its heal (the fault stays active: heal it).
   */
  readonly onEvent?: (phase: FaultPhase, detail?: string) => void;
  /** Heal on SIGINT/SIGTERM/uncaught errors while active (default true). */
  readonly healOnSignals?: boolean;
  /** Deadline of the inject and revert commands (default 30 s). */
  readonly commandTimeoutMs?: number;
  /** How the plan's nodes' addresses are looked up (default: nodeIpv4, on the nodes themselves). */
  readonly addressOf?: AddressOf;
}

const nodeAddress: AddressOf = (node, signal) => nodeIpv4(node, signal ? { signal } : {});
const allOk = (judged: readonly CheckJudgement[]): boolean => judged.every((j) => j.ok);
const detailsOf = (judged: readonly CheckJudgement[]): string => judged.map((j) => j.detail).join('; ');

/** An applied fault. Its only verbs are heal() and async dispose (which heals and never throws). */
export interface ActiveFault extends AsyncDisposable {
  readonly id: string;
  readonly kind: string;
  readonly node: string;
  /** When the node-side timer reverts it on its own (epoch ms). */
  readonly expiresAt: number;
  /** Idempotent and concurrency-safe: concurrent calls share one heal; after a failed heal, a new call retries. */
  heal(): Promise<void>;
}

export function newFaultId(kind: string): string {
  const safeKind = kind.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 24);
  return `${safeKind}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Applies a fault. Order: the plan prepared (addresses looked up; a failure leaves nothing behind) →
 * journal entry (fsynced) → node-side auto-revert timer → inject argv → verified in force. Anything
 * failing after the journal entry reverts at once and rethrows, so a half-applied fault is never
 * left behind.
 */
export async function inject(plan: FaultPlan, options: InjectOptions): Promise<ActiveFault> {
  const { journal, signal, onEvent } = options;
  const timeoutMs = options.commandTimeoutMs ?? 30_000;
  signal?.throwIfAborted();
  const prepared = await plan.prepare(options.addressOf ?? nodeAddress, signal);
  signal?.throwIfAborted();
  const { verification } = prepared;
  const checkNodes = { node: plan.node, peer: prepared.peer };
  const id = newFaultId(plan.kind);
  const marker = timerMarker(id);
  const startedAt = Date.now();
  const expiresAt = startedAt + plan.maxDurationMs;
  const node = plan.node;
  const emit = (phase: FaultPhase, detail?: string): void => {
    try {
      onEvent?.(phase, detail);
    } catch {
      // an observer must not break the lifecycle
    }
  };

  await journal.open({
    id,
    kind: plan.kind,
    description: plan.description,
    node: node.name,
    address: node.address,
    revert: plan.revert,
    timerMarker: marker,
    startedAt: new Date(startedAt).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
  });
  emit('journaled', plan.description);

  let healing: Promise<void> | undefined;
  let healed = false;
  // Checks the fault holds through its hold, from its verification until the heal begins.
  let heldWatch: HeldWatch | undefined;
  // A heal from a signal handler must not race the inject command: it waits for it to settle first.
  let applying: Promise<unknown> | undefined;
  // The harness's side of the fault (plan.mirror), lifted once the fault is reverted.
  let unmirror: (() => void) | undefined;
  // Revert first, then cancel the timer: if the revert fails the timer is still armed as a backstop.
  const healOnce = async (how: string): Promise<void> => {
    heldWatch?.stop();
    await applying?.catch(() => undefined);
    emit('healing', plan.description);
    try {
      await node.exec(plan.revert, { timeoutMs });
    } catch (err) {
      if (!(err instanceof NodeGoneError)) throw err;
      // The node is gone, and the fault with it (as healOpenFaults treats it): nothing to revert.
      emit('healed', `node gone: ${err.message}`);
      unmirror?.();
      await journal.close(id, 'node-gone');
      healed = true;
      untrack();
      return;
    }
    unmirror?.();
    await cancelAutoRevertTimer(node, marker);
    emit('healed', plan.description);
    if (verification) {
      let judged = await runChecks(verification.healed, checkNodes);
      for (let tried = 1; tried < (verification.healedTries ?? 1) && !allOk(judged); tried++)
        judged = await runChecks(verification.healed, checkNodes);
      if (!allOk(judged))
        throw new Error(`${plan.kind} on ${node.name} still in effect after heal: ${detailsOf(judged)}`);
      emit('heal-verified', verification.healedShows);
    }
    await journal.close(id, how);
    healed = true;
    untrack();
  };
  const heal = (how = 'healed'): Promise<void> => {
    if (healed) return Promise.resolve();
    healing ??= healOnce(how).finally(() => {
      healing = undefined;
    });
    return healing;
  };
  const untrack =
    options.healOnSignals === false
      ? () => undefined
      : trackActiveFault(`${plan.kind} on ${node.name}`, () => heal());

  try {
    // No abort signal on the node command itself: an aborted client does not stop the command on
    // the node, and a revert racing a still-running inject could lose. It is short and bounded. The
    // timer starts first, in the same exec: the fault is never in force without its backstop.
    unmirror = plan.mirror?.();
    applying = node.exec(timerThenArgv(marker, plan.maxDurationMs, plan.revert, prepared.inject), {
      timeoutMs,
    });
    await applying;
    signal?.throwIfAborted();
    emit('injected', plan.description);
    if (verification) {
      const judged = await runChecks(verification.inForce, checkNodes, signal);
      if (!allOk(judged)) throw new Error(`${plan.kind} on ${node.name} not in force: ${detailsOf(judged)}`);
      emit('verified', verification.inForceShows);
      if (verification.held && !healing && !healed)
        heldWatch = watchHeld(verification.held, checkNodes, (detail) => emit('lapsed', detail));
    }
  } catch (err) {
    try {
      await heal('inject-failed');
    } catch (healErr) {
      throw new AggregateError(
        [err, healErr],
        `${node.name}: ${plan.kind} failed (${(err as Error).message}) and reverting it failed too ` +
          `(${(healErr as Error).message}); the auto-revert timer fires by ${new Date(expiresAt).toISOString()}, or run 'pxchaos heal'`,
      );
    }
    throw err;
  }

  return {
    id,
    kind: plan.kind,
    node: node.name,
    expiresAt,
    heal: () => heal(),
    [Symbol.asyncDispose]: async () => {
      try {
        await heal();
      } catch (err) {
        // A disposer that throws hides the test's own error (libraries.md): log it instead.
        process.stderr.write(
          `pxchaos: could not heal ${plan.kind} on ${node.name} (${(err as Error).message}); run 'pxchaos heal'\n`,
        );
      }
    },
  };
}
