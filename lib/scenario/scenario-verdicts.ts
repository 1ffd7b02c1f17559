import type { RunFingerprint } from '../observe/run-fingerprint.js';
import {
  invariant,
  ledgerConsistent,
  noAcknowledgedWriteLost,
  noFailedWrite,
  recoveredWithin,
  rowsPreserved,
  contentsPreserved,
  pgbenchAtomicDurable,
} from '../assert/verdicts.js';
import type { Metrics } from '../observe/metrics.js';
import type { Verdict } from '../observe/timeline-events.js';
import type { Expectation, FaultKind } from '../sut/expectations.js';
import type { SutHealth } from '../sut/sut.js';
import type { TimingSettings } from '../sut/recovery-phases.js';
import { CHECK, CHECK_KEYS, type CheckKey } from './verdict-names.js';

/** What the flow itself established (beyond the timeline) for the checks. */
export interface FlowFacts {
  readonly kind: FaultKind;
  target?: string;
  sut?: string;
  expectation?: Expectation;
  /** inject() returned: the fault was applied and verified in force. */
  faultVerified?: boolean;
  faultError?: string;
  /** The fault was found gone before its heal (FaultVerification.held): what showed it, and when. */
  faultLapsed?: string;
  health?: SutHealth;
  leftovers?: readonly string[];
  /** Faults of other processes on the run's nodes during its window (outside-faults.ts). */
  outsideFaults?: readonly string[];
  /** What the scenario ran on (lib/observe/run-fingerprint.ts), read in arrange. */
  fingerprint?: RunFingerprint;
  /** The timers the recovery's phases are predicted from (the SUT's, and the fault's hold). */
  timings?: TimingSettings;
}

export interface CheckedVerdict {
  readonly key: CheckKey;
  readonly verdict: Verdict;
}

const fail = (name: string, message: string): Verdict => ({ name, passed: false, message, durationMs: 0 });

function primaryPlacement(e: Expectation, m: Metrics): Verdict {
  const before = String(m.primary_before ?? '?');
  const after = m.primary_after === undefined ? undefined : String(m.primary_after);
  if (after === undefined)
    return fail(CHECK.primaryPlacement, 'expected the primary to be known after recovery; none was found');
  const moved = after !== before;
  const expected = e.primaryMoves === 'either' ? 'either' : e.primaryMoves ? 'moved' : 'kept';
  const passed = e.primaryMoves === 'either' || e.primaryMoves === moved;
  return invariant(CHECK.primaryPlacement, passed, {
    expected: `primary ${expected} (was ${before})`,
    measured: `primary ${moved ? 'moved' : 'kept'}: ${before} → ${after}`,
  });
}

function computeCheck(key: CheckKey, facts: FlowFacts, e: Expectation, m: Metrics): Verdict {
  switch (key) {
    case 'faultTookHold':
      if (facts.faultVerified && facts.faultLapsed !== undefined)
        return invariant(CHECK.faultTookHold, false, {
          expected: 'in force for the whole hold',
          measured: `verified in force on ${String(m.fault_node)}, then gone before the heal: ${facts.faultLapsed}`,
        });
      return facts.faultVerified
        ? invariant(CHECK.faultTookHold, true, {
            expected: 'in force',
            measured: `verified in force on ${String(m.fault_node)}`,
          })
        : fail(
            CHECK.faultTookHold,
            `expected the fault applied and verified; ${facts.faultError ?? 'it was never injected'}`,
          );
    case 'recovered':
      return recoveredWithin(m, e.recoveryWithinMs);
    case 'noAckedLost':
      return noAcknowledgedWriteLost(m);
    case 'failedNotCommitted':
      return ledgerConsistent(m);
    case 'rowsPreserved':
      return rowsPreserved(m);
    case 'contentsPreserved':
      return contentsPreserved(m);
    case 'pgbenchAtomicDurable':
      return pgbenchAtomicDurable(m);
    case 'failedWrites': {
      const v = { ...noFailedWrite(m), name: CHECK.failedWrites };
      // Where the expectation allows failed writes (a failover), they are reported, not failed on.
      return e.failedWritesAllowed && !v.passed
        ? { ...v, passed: true, message: `allowed for this fault: ${v.message ?? ''}` }
        : v;
    }
    case 'primaryPlacement':
      return primaryPlacement(e, m);
    case 'healthyAfterHeal':
      return facts.health
        ? invariant(CHECK.healthyAfterHeal, facts.health.healthy, {
            expected: 'a primary, every replica streaming, every agent up',
            measured: facts.health.healthy
              ? `healthy, primary ${facts.health.primary ?? '?'}`
              : facts.health.problems.join('; ') || 'unhealthy',
          })
        : fail(
            CHECK.healthyAfterHeal,
            'expected the cluster to settle after the heal; the heal was never reached',
          );
    case 'nothingLeftBehind':
      return facts.leftovers
        ? invariant(CHECK.nothingLeftBehind, facts.leftovers.length === 0, {
            expected: 'no pxchaos rules, timers, stopped agents, offline drives or open journal entries',
            measured: facts.leftovers.length === 0 ? 'nothing left behind' : facts.leftovers.join('; '),
          })
        : fail(CHECK.nothingLeftBehind, 'expected a leftover check; the target was never reached');
    case 'noOutsideFault':
      // The figures of a run disturbed from outside are not the SUT's: the run is red, naming why.
      return facts.outsideFaults
        ? facts.outsideFaults.length === 0
          ? invariant(CHECK.noOutsideFault, true, {
              expected: "no other process's fault on the run's nodes",
              measured: 'none in the journal during the run',
            })
          : fail(CHECK.noOutsideFault, `disturbed by an outside fault: ${facts.outsideFaults.join('; ')}`)
        : fail(CHECK.noOutsideFault, 'expected a look at the fault journal; the run never started measuring');
  }
}

/**
 * The scenario's checks, computed after the fact from the metrics (themselves from the timeline)
 * and the flow's facts. A check the flow never reached fails and says why.
 */
export function scenarioVerdicts(facts: FlowFacts, metrics: Metrics, error?: string): CheckedVerdict[] {
  const e = facts.expectation;
  if (!e) {
    const why = `not reached: ${error ?? 'the target never came up'}`;
    return CHECK_KEYS.map((key) => ({ key, verdict: fail(CHECK[key], why) }));
  }
  return CHECK_KEYS.map((key) => {
    const verdict = computeCheck(key, facts, e, metrics);
    const told = error === undefined || verdict.passed || (verdict.message ?? '').includes(error);
    const suffix = told ? '' : ` (the scenario stopped early: ${error})`;
    return { key, verdict: { ...verdict, ...(suffix && { message: `${verdict.message ?? ''}${suffix}` }) } };
  });
}

/** Every check of a scenario that a signal stopped: none of them can be claimed. */
export function interruptedVerdicts(reason: string, phase: string): CheckedVerdict[] {
  return CHECK_KEYS.map((key) => ({
    key,
    verdict: fail(CHECK[key], `interrupted by ${reason} (during ${phase})`),
  }));
}
