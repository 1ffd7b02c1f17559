import type { Metrics } from '../observe/metrics.js';
import type { Verdict } from '../observe/timeline-events.js';
import type { Expectation } from '../sut/expectations.js';
import { formatDuration } from '../time/duration.js';

/**
 * Verdicts are pure functions of the metrics (which are pure functions of the saved timeline), so
 * a report can recompute them from the file. A failure says what was expected and what was measured.
 */

function verdict(name: string, passed: boolean, message: string): Verdict {
  return { name, passed, message, durationMs: 0 };
}

function num(metrics: Metrics, key: string): number | undefined {
  const value = metrics[key];
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Infinity; // as saved to JSON
  return undefined;
}

/** RTO (fault injected → first successful write after the last failure) within limitMs. */
export function recoveredWithin(metrics: Metrics, limitMs: number): Verdict {
  const name = `recovered within ${formatDuration(limitMs)}`;
  const rto = num(metrics, 'rto_ms');
  if (metrics.recovered === 'no-fault' || rto === undefined) {
    return verdict(
      name,
      false,
      `expected recovery within ${formatDuration(limitMs)}; no fault injection recorded, so no RTO was measured`,
    );
  }
  // What the SUT said was wrong when the scenario stopped waiting and healed the fault.
  const cause =
    typeof metrics.unrecovered_cause === 'string' ? `; at the heal: ${metrics.unrecovered_cause}` : '';
  if (metrics.recovered === 'no' || !Number.isFinite(rto)) {
    const bound = num(metrics, 'rto_lower_bound_ms');
    return verdict(
      name,
      false,
      `expected recovery within ${formatDuration(limitMs)}; writes were still failing when observation ended` +
        (bound !== undefined ? ` (${formatDuration(bound)} after the fault)` : '') +
        cause,
    );
  }
  const longest = num(metrics, 'longest_unavailable_ms') ?? 0;
  const detail =
    metrics.rto_basis === 'no-failure'
      ? 'no failed write after the fault'
      : `longest unavailable ${formatDuration(longest)}`;
  return rto <= limitMs
    ? verdict(name, true, `RTO ${formatDuration(rto)} ≤ ${formatDuration(limitMs)} (${detail})`)
    : verdict(
        name,
        false,
        `expected RTO ≤ ${formatDuration(limitMs)}, measured ${formatDuration(rto)} (${detail})${cause}`,
      );
}

/** Every acknowledged ledger write is present after recovery (RPO = 0). */
export function noAcknowledgedWriteLost(metrics: Metrics): Verdict {
  const name = 'no acknowledged write lost';
  const lost = num(metrics, 'lost_acked');
  const acked = num(metrics, 'acked') ?? 0;
  if (lost === undefined) {
    return verdict(
      name,
      false,
      'expected every acknowledged write present; no ledger read-back was recorded, so nothing was checked',
    );
  }
  const changed = num(metrics, 'changed_acked') ?? 0;
  if (lost === 0 && changed === 0)
    return verdict(name, true, `all ${acked} acknowledged writes present, as written`);
  const span = num(metrics, 'lost_acked_span_ms') ?? 0;
  const missing =
    lost > 0
      ? `${lost} missing, spanning ${formatDuration(span)}: ids ${String(metrics.lost_acked_ids)}`
      : '';
  const altered =
    changed > 0 ? `${changed} changed after acknowledgement: ids ${String(metrics.changed_acked_ids)}` : '';
  return verdict(
    name,
    false,
    `expected all ${acked} acknowledged writes present as written; ${[missing, altered].filter(Boolean).join('; ')}`,
  );
}

/** The ledger holds nothing it should not: no definitely-failed write committed, no duplicate, no stray row. */
export function ledgerConsistent(metrics: Metrics): Verdict {
  const name = 'failed writes did not commit';
  const failedCommitted = num(metrics, 'failed_committed');
  if (failedCommitted === undefined)
    return verdict(name, false, 'no ledger read-back was recorded, so nothing was checked');
  const duplicates = num(metrics, 'duplicates') ?? 0;
  const unexpected = num(metrics, 'unexpected_rows') ?? 0;
  const problems: string[] = [];
  if (failedCommitted > 0)
    problems.push(
      `${failedCommitted} writes reported as failed are present (ids ${String(metrics.failed_committed_ids)})`,
    );
  if (duplicates > 0)
    problems.push(`${duplicates} ids present more than once (ids ${String(metrics.duplicate_ids)})`);
  if (unexpected > 0) problems.push(`${unexpected} rows no write of this run produced`);
  const unknown = num(metrics, 'unknown') ?? 0;
  const committed = num(metrics, 'unknown_committed') ?? 0;
  return problems.length === 0
    ? verdict(name, true, `no failed write present; ${committed} of ${unknown} unknown writes committed`)
    : verdict(
        name,
        false,
        `expected definitely-failed writes absent and each id once; ${problems.join('; ')}`,
      );
}

/** The pgbench dataset has the same number of rows after the fault as before. */
export function rowsPreserved(metrics: Metrics): Verdict {
  const name = 'rows preserved';
  const before = num(metrics, 'rows_before');
  const after = num(metrics, 'rows_after');
  if (before === undefined || after === undefined) {
    return verdict(
      name,
      false,
      `expected rows_before and rows_after to be measured; got ${String(before)} and ${String(after)}`,
    );
  }
  return before === after
    ? verdict(name, true, `${after} rows before and after`)
    : verdict(
        name,
        false,
        `expected ${before} rows, found ${after} (${after - before > 0 ? '+' : ''}${after - before})`,
      );
}

/**
 * pgbench_accounts has the same contents after the fault as before (digest over every column, per
 * range of aid): catches a changed balance or a rewound row that a count does not.
 */
export function contentsPreserved(metrics: Metrics): Verdict {
  const name = 'contents preserved';
  const before = metrics.accounts_digest_before;
  const after = metrics.accounts_digest_after;
  if (typeof before !== 'string' || typeof after !== 'string') {
    return verdict(
      name,
      false,
      `expected the pgbench_accounts digest before and after to be measured; got ${String(before)} and ${String(after)}`,
    );
  }
  // With pgbench running, the after-digest is net of this run's transactions (table-digest.ts).
  const net = typeof metrics.accounts_digest_net_of === 'string' ? metrics.accounts_digest_net_of : undefined;
  const basis =
    net === undefined ? '' : ` net of this run's pgbench transactions (pgbench_history tagged ${net}…)`;
  if (before === after)
    return verdict(name, true, `pgbench_accounts digest ${before.slice(0, 12)} before and after${basis}`);
  const ranges = typeof metrics.contents_changed === 'string' ? metrics.contents_changed : 'unknown ranges';
  return verdict(
    name,
    false,
    `expected pgbench_accounts unchanged${basis}; digest ${before.slice(0, 12)} → ${after.slice(0, 12)}, changed: ${ranges}`,
  );
}

/**
 * pgbench's transactions through the fault were atomic (the balance sums equal the history's) and
 * durable (every transaction pgbench acknowledged has its history row), read from the database
 * after recovery (lib/workload/pgbench-invariants.ts). Turned off, it passes saying so.
 */
export function pgbenchAtomicDurable(metrics: Metrics): Verdict {
  const name = 'pgbench transactions atomic and durable';
  if (metrics.pgbench === 'off')
    return verdict(
      name,
      true,
      'not run: pgbench transactions are turned off (workload.pgbench.enabled: false)',
    );
  const acked = num(metrics, 'pgbench_tx_acked');
  const lost = num(metrics, 'pgbench_tx_lost');
  const invariant = metrics.pgbench_invariant;
  const error = typeof metrics.pgbench_error === 'string' ? metrics.pgbench_error : undefined;
  const lastError =
    typeof metrics.pgbench_last_error === 'string'
      ? `; pgbench's last error: ${metrics.pgbench_last_error}`
      : '';
  if (lost === undefined || typeof invariant !== 'string') {
    return verdict(
      name,
      false,
      `expected pgbench's tables checked after recovery; not measured: ${error ?? 'pgbench never ran in this scenario'}${lastError}`,
    );
  }
  const problems: string[] = [];
  if (invariant !== 'ok') problems.push(`not atomic: ${invariant}`);
  if (lost > 0) {
    const clients =
      typeof metrics.pgbench_lost_clients === 'string' ? ` (${metrics.pgbench_lost_clients})` : '';
    problems.push(`${lost} acknowledged transactions missing from pgbench_history${clients}`);
  }
  if (!acked) problems.push(`pgbench acknowledged no transaction, so none was checked${lastError}`);
  const restarts = num(metrics, 'pgbench_restarts') ?? 0;
  const unacked = num(metrics, 'pgbench_tx_committed_unacked') ?? 0;
  return problems.length === 0
    ? verdict(
        name,
        true,
        `sum(abalance) = sum(tbalance) = sum(bbalance) = sum(pgbench_history.delta); all ${acked} acknowledged transactions in pgbench_history (${unacked} committed without an acknowledgement; ${restarts} restarts of pgbench)`,
      )
    : verdict(
        name,
        false,
        `expected every pgbench transaction whole and every acknowledged one present; ${problems.join('; ')}`,
      );
}

/**
 * Every write made while the fault was in force acknowledged: no failed and no unknown write sent
 * before the heal began (faults the SUT should absorb, e.g. an agent restart within grace). What the
 * heal itself fails (bricks rejoining after a drive restore) is named, not judged: it is the heal's,
 * like post_heal_unavailable_ms.
 */
export function noFailedWrite(metrics: Metrics): Verdict {
  const name = 'no failed write';
  const failed = num(metrics, 'failed') ?? 0;
  const unknown = num(metrics, 'unknown') ?? 0;
  const writes = num(metrics, 'writes') ?? 0;
  if (writes === 0) return verdict(name, false, 'expected every write acknowledged; no write was attempted');
  const failedAfterHeal = num(metrics, 'failed_after_heal') ?? 0;
  const unknownAfterHeal = num(metrics, 'unknown_after_heal') ?? 0;
  const failedDuring = failed - failedAfterHeal;
  const unknownDuring = unknown - unknownAfterHeal;
  const byHeal =
    failedAfterHeal + unknownAfterHeal > 0
      ? `; the heal then failed ${failedAfterHeal} and left ${unknownAfterHeal} unknown (${formatDuration(num(metrics, 'post_heal_unavailable_ms') ?? 0)} unavailable after the heal began)`
      : '';
  if (failedDuring + unknownDuring === 0) {
    return verdict(
      name,
      true,
      byHeal
        ? `every write acknowledged while the fault was in force${byHeal}`
        : `all ${writes} writes acknowledged`,
    );
  }
  return verdict(
    name,
    false,
    `expected every write acknowledged; ${failedDuring} failed and ${unknownDuring} unknown of ${writes} before the heal (longest unavailable ${formatDuration(num(metrics, 'longest_unavailable_ms') ?? 0)})${byHeal}`,
  );
}

/** A free-form SUT invariant (pod UID kept, old primary demoted, ...). */
export function invariant(
  name: string,
  passed: boolean,
  detail: { readonly expected: string; readonly measured: string },
): Verdict {
  return verdict(
    name,
    passed,
    passed ? detail.measured : `expected ${detail.expected}, measured ${detail.measured}`,
  );
}

/** The verdicts an expectation calls for, followed by the SUT's own invariants. */
export function verdictsFor(
  expectation: Expectation,
  metrics: Metrics,
  invariants: readonly Verdict[] = [],
): Verdict[] {
  const verdicts = [
    recoveredWithin(metrics, expectation.recoveryWithinMs),
    noAcknowledgedWriteLost(metrics),
    ledgerConsistent(metrics),
    rowsPreserved(metrics),
  ];
  if (!expectation.failedWritesAllowed) verdicts.push(noFailedWrite(metrics));
  return [...verdicts, ...invariants];
}
