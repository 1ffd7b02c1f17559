import { setTimeout as sleep } from 'node:timers/promises';
import type { Expectation } from '../../sut/expectations.js';
import { chooseFaultNode } from '../../sut/placement.js';
import type { NodeAccess } from '../../nodes/node-access.js';
import type { Sut } from '../../sut/sut.js';
import { countRows, ROWS_PER_SCALE } from '../../workload/pgbench.js';
import { balanceInvariant, readPgbenchState } from '../../workload/pgbench-invariants.js';
import { digestAccounts } from '../../workload/table-digest.js';
import { PlacementRefusedError } from '../fault-not-supported.js';
import { healDeadRunsFaults } from '../heal-dead-runs.js';
import { ScenarioWorkload } from '../scenario-workload.js';
import { TargetPresence } from '../target-presence.js';
import { OPEN_TIMEOUT_MS } from '../target-session.js';
import type { ScenarioContext } from './scenario-context.js';
import { readFingerprint } from './fingerprint.js';
import { settleShowingProgress, SETTLE_TIMEOUT_MS } from './settle.js';

/** Writes before the fault, so the timeline shows the healthy baseline. */
const BASELINE_MS = 3000;

/** What arrange leaves for the fault: the SUT, its expectation (none: the fault is not built yet), the node. */
export interface Arranged {
  readonly sut: Sut;
  readonly expectation: Expectation | undefined;
  readonly node: NodeAccess;
  readonly role: string;
  readonly settleMs: number;
}

/**
 * Arrange: dead runs' faults healed, the target leased, the SUT settled, pgbench data present and
 * digested, the fault's node chosen by placement, then the ledger, probe and watch running for a
 * baseline. Sets `held.lease`, `held.presence`, `held.workload`.
 */
export async function arrange(ctx: ScenarioContext): Promise<Arranged> {
  const { held, facts, values, progress, kind, placement } = ctx;
  // A dead run's fault still in force would poison this one: heal it first, and say so.
  for (const line of await healDeadRunsFaults()) ctx.mark(`arrange: ${line}`);
  ctx.mark('arrange: target');
  held.lease = await ctx.leaseTarget(ctx.within(OPEN_TIMEOUT_MS));
  const { notes } = held.lease;
  for (const line of notes) ctx.timeline.record({ kind: 'step', name: `arrange: ${line}` });
  if (notes.length) values.dead_runs_cleaned = notes.join('; ');
  const expectation = expectationOf(ctx, ctx.target().sut);
  const settleMs = expectation?.settleWithinMs ?? SETTLE_TIMEOUT_MS;
  const sut = await settledSut(ctx, settleMs);
  const { name } = ctx.target();
  held.presence = new TargetPresence(sut.nodes);
  facts.target = name;
  facts.sut = sut.name;
  facts.fingerprint = await readFingerprint(ctx, sut, expectation);
  facts.timings = {
    ...sut.timings,
    ...(expectation && {
      hold: {
        ms: expectation.holdMs,
        source: `the ${kind} scenario's hold (scenarios.${kind}.hold, else the SUT's expectation)`,
      },
    }),
  };
  if (expectation) facts.expectation = expectation;
  else
    progress.step(
      `note: the ${sut.name} SUT has no ${kind} fault${placement === 'primary' ? '' : ` placed on a ${placement}`} yet; this run arranges and observes, then stops before the fault`,
    );

  ctx.mark('arrange: pgbench data');
  values.rows_before = await ensurePgbench(ctx, sut);
  held.digestBefore = await digestAccounts(await sut.writeEndpoint(ctx.within(10_000)), {
    signal: ctx.within(180_000),
  });
  values.accounts_digest_before = held.digestBefore.digest;

  const { node, role } = await chooseNode(ctx, sut);
  ctx.mark('arrange: write ledger, availability probe, platform watch');
  held.measuringFrom = new Date();
  held.workload = new ScenarioWorkload(sut, ctx.timeline, ctx.config.workload);
  await held.workload.start();
  await sleep(BASELINE_MS, undefined, { signal: ctx.within(BASELINE_MS + 1000) });
  return { sut, expectation, node, role, settleMs };
}

function expectationOf(ctx: ScenarioContext, sut: Sut): Expectation | undefined {
  const { kind, placement } = ctx;
  return placement === 'primary' ? sut.expectations[kind] : sut.placedExpectations[placement]?.[kind];
}

/**
 * The target's SUT once settled. A previous scenario of the run may still be settling (Gluster
 * self-heal after a pod move); one that left the SUT unhealthy past the deadline would fail this
 * scenario for its damage: the target is re-arranged (the result says so) and settled once more.
 */
async function settledSut(ctx: ScenarioContext, settleMs: number): Promise<Sut> {
  const { held } = ctx;
  const lease = held.lease;
  if (!lease) throw new Error('the target is not leased');
  try {
    await settleShowingProgress(ctx, ctx.target().sut, settleMs, 'settle before the fault');
    return ctx.target().sut;
  } catch (err) {
    if (!lease.reused || ctx.signal.aborted) throw err;
    ctx.values.rearranged = `the SUT did not settle after the previous scenario: ${(err as Error).message}`;
    ctx.mark(`arrange: ${ctx.values.rearranged}; re-arranging the target`);
    held.lease = await lease.rearrange((line) => ctx.progress.step(line), ctx.within(OPEN_TIMEOUT_MS));
    await settleShowingProgress(ctx, ctx.target().sut, settleMs, 'settle after re-arranging');
    return ctx.target().sut;
  }
}

/** The node the placement puts the fault on (the primary placement asks only for the primary). */
async function chooseNode(ctx: ScenarioContext, sut: Sut): Promise<{ node: NodeAccess; role: string }> {
  const { placement, values } = ctx;
  const primary = placement === 'primary' ? await sut.primaryNode(ctx.within(10_000)) : undefined;
  const roles = primary === undefined ? await sut.nodeRoles(ctx.within(30_000)) : undefined;
  const choice = roles
    ? chooseFaultNode(roles, placement, sut.name)
    : { node: primary ?? '', role: 'primary' };
  values.primary_before = primary ?? roles?.primary ?? '';
  ctx.live.primary = values.primary_before;
  if ('refused' in choice) {
    // Refused before anything runs: said in the result, not skipped in silence.
    values.placement_refused = choice.refused;
    throw new PlacementRefusedError(choice.refused);
  }
  values.fault_node = choice.node;
  values.fault_node_role = choice.role;
  const node = sut.nodes.find((n) => n.name === choice.node);
  if (!node) throw new Error(`${choice.role} '${choice.node}' is not among the SUT's nodes`);
  return { node, role: choice.role };
}

/**
 * pgbench data at the configured scale: kept when present and consistent, loaded otherwise. Data
 * whose balances already disagree (changed by hand, or by a run that broke it) would make this run's
 * fault look guilty: it is reloaded, and the result says so.
 */
async function ensurePgbench(ctx: ScenarioContext, sut: Sut): Promise<number> {
  const scale = ctx.config.workload.pgbenchScale;
  const expected = scale * ROWS_PER_SCALE;
  const endpoint = await sut.writeEndpoint(ctx.within(10_000));
  const rows = await countRows(endpoint, 'pgbench_accounts', { signal: ctx.within(60_000) }).catch(() => -1);
  if (rows === expected) {
    const state = await readPgbenchState(endpoint, NO_TAG, { signal: ctx.within(180_000) });
    const invariant = balanceInvariant(state.sums);
    if (invariant === 'ok') {
      ctx.progress.step(`pgbench data present: ${rows} rows, balances consistent`);
      return rows;
    }
    ctx.values.baseline_reloaded = `pgbench data inconsistent before the fault: ${invariant}`;
    ctx.mark(`arrange: ${ctx.values.baseline_reloaded}; reloading it`);
  }
  const load = await sut.loadPgbench(scale, {
    signal: ctx.within(900_000),
    onProgress: (line) => ctx.progress.step(line),
  });
  return load.rows;
}

/** A history tag no run writes: only the balance sums of the state are read here. */
const NO_TAG = 'baseline0';
