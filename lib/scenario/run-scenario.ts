import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/load-config.js';
import type { PxchaosConfig } from '../config/config-schema.js';
import type { ActiveFault } from '../faults/fault.js';
import { inject } from '../faults/fault.js';
import { FaultJournal } from '../faults/journal.js';
import { computeMetrics, type Metrics } from '../observe/metrics.js';
import type { LedgerReadBack } from '../observe/ledger-check.js';
import { Timeline, type TimelineMeta } from '../observe/timeline.js';
import type { FaultKind } from '../sut/expectations.js';
import type { Sut, SutHealth } from '../sut/sut.js';
import { chooseFaultNode, type Placement } from '../sut/placement.js';
import type { OpenTarget } from '../targets/target.js';
import { formatDuration } from '../time/duration.js';
import { countRows, ROWS_PER_SCALE } from '../workload/pgbench.js';
import { FaultNotSupportedError, PlacementRefusedError } from './fault-not-supported.js';
import { changedRanges, digestAccounts, type AccountsDigest } from '../workload/table-digest.js';
import { tallyFigures } from '../workload/pgbench-invariants.js';
import { FAULT_SCENARIOS, type FaultTarget } from './fault-catalog.js';
import { LiveState } from './live-state.js';
import { Progress } from './progress.js';
import { checkNothingLeftBehind } from './nothing-left-behind.js';
import { onInterrupt } from '../faults/signal-heal.js';
import {
  interruptedVerdicts,
  scenarioVerdicts,
  type CheckedVerdict,
  type FlowFacts,
} from './scenario-verdicts.js';
import { saveScenario } from './scenario-files.js';
import { healDeadRunsFaults } from './heal-dead-runs.js';
import { outsideFaults } from './outside-faults.js';
import { TargetPresence } from './target-presence.js';
import { ScenarioWorkload } from './scenario-workload.js';
import { stepGate, stepNote } from './step-gate.js';
import { leaseTarget, type TargetLease } from './target-session.js';

export interface ScenarioOutcome {
  readonly checks: readonly CheckedVerdict[];
  readonly metrics: Metrics;
  /** Why the flow stopped early, if it did. */
  readonly error?: string;
}

/** Writes before the fault, so the timeline shows the healthy baseline. */
const BASELINE_MS = 3000;
/** Writes after the SUT settled, so the timeline shows service is back. */
const AFTERMATH_MS = 3000;
const SETTLE_TIMEOUT_MS = 180_000;
/** Past the expected recovery, how long the fault is held before the scenario gives up waiting. */
const OBSERVE_MARGIN_MS = 30_000;

/**
 * One scenario, design.md's flow: arrange, act, observe, heal, assert, report. The fault is always
 * healed (also when anything throws); checks are computed afterwards from the timeline alone.
 */
export async function runScenario(
  kind: FaultKind,
  placement: Placement = 'primary',
): Promise<ScenarioOutcome> {
  const progress = new Progress(placement === 'primary' ? kind : `${kind}, ${placement}`);
  const config = await loadConfig();
  const step = process.env.PXCHAOS_STEP === '1';
  const facts: FlowFacts = { kind };
  const timeline = new Timeline();
  const live = new LiveState();
  timeline.subscribe((e) => live.observe(e));
  let phase = 'start';
  const mark = (name: string): void => {
    phase = name;
    timeline.record({ kind: 'step', name });
    progress.step(name);
  };
  const values: Record<string, number | string> = { placement };
  // Turned off, the pgbench check says so whether or not the flow gets that far.
  if (!config.workload.pgbench.enabled) values.pgbench = 'off';
  const meta = (): TimelineMeta => ({
    scenario: kind,
    target: facts.target ?? config.target,
    sut: facts.sut ?? 'unknown',
    placement,
  });
  // On SIGINT/SIGTERM (after the fault is healed) the result of what ran is still saved.
  const unhookInterrupt = onInterrupt(async (reason) => {
    progress.stopCountdown();
    timeline.record({ kind: 'step', name: `interrupted by ${reason}` });
    const data = timeline.toData(meta(), { values });
    const checks = interruptedVerdicts(reason, phase);
    await saveScenario(
      config.reportDir,
      data,
      computeMetrics(data),
      checks.map((c) => c.verdict),
      progress.elapsedMs(),
    );
  });
  let ledger: LedgerReadBack | undefined;
  let digestBefore: AccountsDigest | undefined;
  let target: OpenTarget | undefined;
  let lease: TargetLease | undefined;
  let workload: ScenarioWorkload | undefined;
  let fault: ActiveFault | undefined;
  let presence: TargetPresence | undefined;
  let error: string | undefined;
  /** From here on, another process's fault on the run's nodes disturbs what the run measures. */
  let measuringFrom: Date | undefined;

  try {
    // A dead run's fault still in force would poison this one: heal it first, and say so.
    for (const line of await healDeadRunsFaults()) mark(`arrange: ${line}`);
    mark('arrange: target');
    // Building a lab, or arranging Postgres on a slow Kubernetes volume, takes minutes (progress meanwhile).
    lease = await leaseTarget(config, (line) => progress.step(line), AbortSignal.timeout(900_000));
    target = lease.target;
    for (const line of lease.notes) timeline.record({ kind: 'step', name: `arrange: ${line}` });
    if (lease.notes.length) values.dead_runs_cleaned = lease.notes.join('; ');
    const { sut } = target;
    presence = new TargetPresence(sut.nodes);
    facts.target = target.name;
    facts.sut = sut.name;
    const expectation =
      placement === 'primary' ? sut.expectations[kind] : sut.placedExpectations[placement]?.[kind];
    if (expectation) facts.expectation = expectation;
    else
      progress.step(
        `note: the ${sut.name} SUT has no ${kind} fault${placement === 'primary' ? '' : ` placed on a ${placement}`} yet; this run arranges and observes, then stops before the fault`,
      );
    // A previous scenario of the run may still be settling (Gluster self-heal after a pod move).
    const settleMs = expectation?.settleWithinMs ?? SETTLE_TIMEOUT_MS;
    await settleShowingProgress(sut, settleMs, progress, 'settle before the fault');

    mark('arrange: pgbench data');
    values.rows_before = await ensurePgbench(target, config, progress);
    digestBefore = await digestAccounts(await sut.writeEndpoint(AbortSignal.timeout(10_000)), {
      signal: AbortSignal.timeout(180_000),
    });
    values.accounts_digest_before = digestBefore.digest;

    // The primary placement asks only for the primary, as before placements existed.
    const primary = placement === 'primary' ? await sut.primaryNode(AbortSignal.timeout(10_000)) : undefined;
    const roles = primary === undefined ? await sut.nodeRoles(AbortSignal.timeout(30_000)) : undefined;
    const choice = roles
      ? chooseFaultNode(roles, placement, sut.name)
      : { node: primary ?? '', role: 'primary' };
    values.primary_before = primary ?? roles?.primary ?? '';
    live.primary = values.primary_before;
    if ('refused' in choice) {
      // Refused before anything runs: said in the result, not skipped in silence.
      values.placement_refused = choice.refused;
      throw new PlacementRefusedError(choice.refused);
    }
    const faultNode = choice.node;
    values.fault_node = faultNode;
    values.fault_node_role = choice.role;
    const node = sut.nodes.find((n) => n.name === faultNode);
    if (!node) throw new Error(`${choice.role} '${faultNode}' is not among the SUT's nodes`);

    mark('arrange: write ledger, availability probe, platform watch');
    measuringFrom = new Date();
    workload = new ScenarioWorkload(sut, timeline, config.workload);
    await workload.start();
    await sleep(BASELINE_MS);
    if (!expectation) throw new FaultNotSupportedError(sut.name, kind, placement);
    const faultTarget: FaultTarget = {
      sut,
      node,
      peers: sut.nodes.filter((n) => n !== node),
      expectation,
      role: choice.role,
      driveMode: config.scenarios['drive-offline']?.driveMode ?? 'error',
    };
    const scenario = FAULT_SCENARIOS[kind];

    await stepGate(step, scenario.explain(faultTarget));
    mark(`act: ${scenario.title(faultTarget)} on ${faultNode}`);
    const plan = await scenario.plan(faultTarget);
    try {
      fault = await inject(plan, {
        journal: new FaultJournal(),
        signal: AbortSignal.timeout(60_000),
        onEvent: (phase, detail) =>
          timeline.record({ kind: 'fault', phase, fault: kind, node: faultNode, ...(detail && { detail }) }),
      });
      facts.faultVerified = true;
    } catch (err) {
      facts.faultVerified = false;
      facts.faultError = (err as Error).message;
      throw err;
    }

    const healWhen = scenario.healWhen(faultTarget);
    const deadline = Math.max(expectation.holdMs, expectation.recoveryWithinMs) + OBSERVE_MARGIN_MS;
    mark(`observe: until ${healWhen.description} (at most ${formatDuration(deadline)})`);
    const heldFrom = timeline.now();
    const countdownEnd = progress.elapsedMs() + expectation.recoveryWithinMs;
    if (step) {
      // A presenter's pause must not stretch a time-bound fault: the heal is on a schedule.
      const healAt = progress.elapsedMs() + expectation.holdMs;
      stepNote(
        step,
        `The fault is in force; it is healed on schedule in ${formatDuration(expectation.holdMs)} (at the earliest), without waiting for Enter.`,
      );
      progress.startCountdown(
        'scheduled heal',
        healAt,
        () => `${live.summary()}; heal when ${healWhen.description}`,
      );
    } else progress.startCountdown('expected recovery', countdownEnd, () => live.summary());
    while (
      !healWhen.met(live, timeline.now() - heldFrom, timeline.now()) &&
      timeline.now() - heldFrom < deadline
    ) {
      presence.throwIfGone();
      await sleep(250);
    }
    progress.stopCountdown();
    values.hold_ms = Math.round(timeline.now() - heldFrom);
    if (!healWhen.met(live, timeline.now() - heldFrom, timeline.now())) {
      // Not back when the wait ends: what the SUT says is wrong names the cause in the RTO check.
      values.unrecovered_cause = await unhealthyNow(sut);
      mark(`observe: not recovered after ${formatDuration(values.hold_ms)}: ${values.unrecovered_cause}`);
    }

    stepNote(step, `Healing the fault on ${faultNode} now, on schedule; then the cluster settles.`);
    mark('heal');
    try {
      await fault.heal();
    } catch (err) {
      // The storage (or agent) refused to come back: that is the cluster's health after the heal.
      facts.health = { healthy: false, problems: [`the heal failed: ${(err as Error).message}`] };
      throw err;
    }
    fault = undefined;
    mark('heal: waiting for the cluster to settle');
    const settleFrom = timeline.now();
    facts.health = await settleOrReport(() => settleShowingProgress(sut, settleMs, progress, 'settle'));
    values.settle_ms = Math.round(timeline.now() - settleFrom);
    await sleep(AFTERMATH_MS);
    // The pause comes after the time-bound part, before the next action.
    await stepGate(
      step,
      "Healed on schedule. Next: read back the ledger, count rows, check pgbench's tables, look for leftovers.",
    );
  } catch (err) {
    error = (err as Error).message;
    progress.step(`stopped early: ${error}`);
  } finally {
    progress.stopCountdown();
    presence?.stop();
    if (fault) await fault[Symbol.asyncDispose]();
    await workload?.stop();
  }
  // Until the result is saved, an interruption saves what ran instead.
  try {
    if (target && presence?.gone !== undefined) {
      // Nothing is left to read back or inspect: say so in one line instead of a minute of timeouts.
      facts.leftovers = [presence.gone];
      if (workload?.pgbench)
        Object.assign(values, tallyFigures(workload.pgbench.tally), { pgbench_error: presence.gone });
      await lease?.release().catch(() => undefined);
    } else if (target) {
      const { sut } = target;
      mark("assert: read back the ledger, count rows, check pgbench's tables, look for leftovers");
      // With pgbench running, the contents are compared net of its transactions (table-digest.ts).
      const netOf = workload?.pgbench?.tagPrefix;
      const read = await Promise.allSettled([
        workload ? workload.readBack(AbortSignal.timeout(60_000)) : Promise.reject(new Error('no ledger')),
        sut.writeEndpoint(AbortSignal.timeout(10_000)).then((e) =>
          digestAccounts(e, {
            signal: AbortSignal.timeout(180_000),
            ...(netOf !== undefined && { netOfHistoryTagged: netOf }),
          }),
        ),
        primaryAfterRecovery(sut),
        checkNothingLeftBehind(sut),
        workload?.pgbenchCheck(AbortSignal.timeout(180_000)),
      ]);
      if (read[0].status === 'fulfilled') ledger = read[0].value;
      if (read[1].status === 'fulfilled') {
        const after = read[1].value;
        values.rows_after = after.rows;
        values.accounts_digest_after = after.digest;
        if (netOf !== undefined) values.accounts_digest_net_of = netOf;
        if (digestBefore) {
          const changed = changedRanges(digestBefore, after);
          values.contents_changed_ranges = changed.length;
          if (changed.length) values.contents_changed = changed.slice(0, 5).join(', ');
        }
      }
      // Why the table could not be read back: the rows/contents verdicts then say "not measured".
      else values.table_read_error = String((read[1].reason as Error | undefined)?.message ?? read[1].reason);
      if (read[2].status === 'fulfilled') values.primary_after = read[2].value;
      // Why the primary could not be named: the placement check then says "none was found".
      else
        values.primary_after_error = String((read[2].reason as Error | undefined)?.message ?? read[2].reason);
      facts.leftovers =
        read[3].status === 'fulfilled' ? read[3].value : [`leftover check failed: ${String(read[3].reason)}`];
      if (read[4].status === 'fulfilled' && read[4].value) Object.assign(values, read[4].value);
      await lease?.release().catch(() => undefined);
    }

    if (target && measuringFrom) {
      facts.outsideFaults = await outsideFaults(target.sut.nodes, {
        from: measuringFrom,
        to: new Date(),
      }).catch((err: unknown) => [`the fault journal could not be read: ${(err as Error).message}`]);
      values.outside_faults = facts.outsideFaults.length;
      for (const line of facts.outsideFaults) mark(`assert: disturbed by an outside fault: ${line}`);
    }
    const data = timeline.toData(meta(), { values, ...(ledger && { ledger }) });
    const metrics = computeMetrics(data);
    const checks = scenarioVerdicts(facts, metrics, error);
    await saveScenario(
      config.reportDir,
      data,
      metrics,
      checks.map((c) => c.verdict),
      progress.elapsedMs(),
    );
    progress.step(`done: ${checks.filter((c) => c.verdict.passed).length}/${checks.length} checks passed`);
    return { checks, metrics, ...(error !== undefined && { error }) };
  } finally {
    unhookInterrupt();
  }
}

async function ensurePgbench(target: OpenTarget, config: PxchaosConfig, progress: Progress): Promise<number> {
  const scale = config.workload.pgbenchScale;
  const expected = scale * ROWS_PER_SCALE;
  const endpoint = await target.sut.writeEndpoint(AbortSignal.timeout(10_000));
  const rows = await countRows(endpoint, 'pgbench_accounts', { signal: AbortSignal.timeout(60_000) }).catch(
    () => -1,
  );
  if (rows === expected) {
    progress.step(`pgbench data present: ${rows} rows`);
    return rows;
  }
  const load = await target.sut.loadPgbench(scale, {
    signal: AbortSignal.timeout(900_000),
    onProgress: (line) => progress.step(line),
  });
  return load.rows;
}

/**
 * The primary once the run is over. Asked again for up to 30 s: it is read while the table digest
 * loads the machine, and on the lab's 2 cores Patroni's REST answers (1 s deadline) then miss often
 * enough that a single ask found no leader in 2 of 4 runs of a healthy cluster (measured 2026-12-02).
 */
async function primaryAfterRecovery(sut: Sut): Promise<string> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      return await sut.primaryNode(AbortSignal.timeout(10_000));
    } catch (err) {
      if (performance.now() >= deadline) throw err;
      await sleep(1000);
    }
  }
}

/** sut.settle within `settleMs`, printing what it still waits for every 20 s (self-heal takes minutes). */
async function settleShowingProgress(
  sut: Sut,
  settleMs: number,
  progress: Progress,
  what: string,
): Promise<SutHealth> {
  let waitingFor = 'the first health check';
  progress.startCountdown(what, progress.elapsedMs() + settleMs, () => `waiting for ${waitingFor}`, 20_000);
  try {
    return await sut.settle(AbortSignal.timeout(settleMs), (h) => {
      waitingFor = h.problems.join('; ') || 'a healthy check';
    });
  } finally {
    progress.stopCountdown();
  }
}

/** The SUT's problems right now, one line (a failed health check says so instead). */
async function unhealthyNow(sut: Sut): Promise<string> {
  const health = await sut.health(AbortSignal.timeout(30_000)).catch((err: unknown) => ({
    problems: [`health check failed: ${(err as Error).message}`],
  }));
  return health.problems.join('; ') || 'the SUT reports no problem';
}

async function settleOrReport(settle: () => Promise<SutHealth>): Promise<SutHealth> {
  try {
    return await settle();
  } catch (err) {
    return { healthy: false, problems: [`did not settle: ${(err as Error).message}`] };
  }
}
