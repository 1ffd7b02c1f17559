import type { PgEndpoint } from '../sut/sut.js';
import type { PgbenchTally } from './pgbench-run.js';
import { readQuery } from './read-query.js';

/**
 * What the database says of pgbench's transactions after recovery, and what follows from it:
 *
 * - Atomicity: every TPC-B-like transaction adds the same delta to one account, one teller, one
 *   branch and one history row, and `pgbench -i` starts all four at zero, so
 *   sum(abalance) = sum(tbalance) = sum(bbalance) = sum(pgbench_history.delta) holds after any
 *   number of whole transactions. A torn or half-rewound transaction breaks it.
 * - Durability: every transaction a client's log acknowledged left a history row tagged with that
 *   client (pgbench-run.ts), so per tag the rows are at least the acknowledged transactions. One
 *   more is an in-flight commit whose answer was lost; more than that, log lines a killed process
 *   never wrote out (`killed`): both under-count acknowledgements, never hide a loss.
 */
export interface PgbenchSums {
  readonly abalance: bigint;
  readonly tbalance: bigint;
  readonly bbalance: bigint;
  readonly delta: bigint;
}

export interface PgbenchState {
  readonly sums: PgbenchSums;
  /** Tag → history rows carrying it (this run's rows only). */
  readonly committed: ReadonlyMap<string, number>;
}

/** One statement, so one snapshot: the sums and the per-tag counts agree with each other. */
const STATE_SQL = `SELECT
  (SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts)::text AS abalance,
  (SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers)::text AS tbalance,
  (SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches)::text AS bbalance,
  (SELECT coalesce(sum(delta), 0) FROM pgbench_history)::text AS delta,
  (SELECT coalesce(json_object_agg(tag, n), '{}')::text FROM (
     SELECT rtrim(filler) AS tag, count(*) AS n FROM pgbench_history WHERE filler LIKE $1 GROUP BY 1) c
  ) AS committed`;

/** Reads the sums and this run's history rows per tag; retried on a session error, like a count. */
export async function readPgbenchState(
  endpoint: PgEndpoint,
  tagPrefix: string,
  options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
): Promise<PgbenchState> {
  if (!/^[0-9a-z]+$/.test(tagPrefix)) throw new RangeError(`not a pgbench tag prefix: ${tagPrefix}`);
  const rows = await readQuery<Record<keyof PgbenchSums | 'committed', string>>(
    endpoint,
    STATE_SQL,
    [`${tagPrefix}%`],
    {
      applicationName: 'pxchaos-pgbench-check',
      timeoutMs: options.timeoutMs ?? 120_000,
      retries: 2,
      ...(options.signal && { signal: options.signal }),
    },
  );
  const row = rows[0];
  if (!row) throw new Error('the pgbench state query returned no row');
  const committed = JSON.parse(row.committed) as Record<string, number>;
  return {
    sums: {
      abalance: BigInt(row.abalance),
      tbalance: BigInt(row.tbalance),
      bbalance: BigInt(row.bbalance),
      delta: BigInt(row.delta),
    },
    committed: new Map(Object.entries(committed)),
  };
}

const TERMS: readonly [keyof PgbenchSums, string][] = [
  ['abalance', 'sum(abalance)'],
  ['tbalance', 'sum(tbalance)'],
  ['bbalance', 'sum(bbalance)'],
  ['delta', 'sum(pgbench_history.delta)'],
];

/** 'ok', or the broken equation with its numbers: "sum(abalance) 1200 ≠ sum(tbalance) 1700 = …". */
export function balanceInvariant(sums: PgbenchSums): string {
  const values = TERMS.map(([key]) => sums[key]);
  if (values.every((v) => v === values[0])) return 'ok';
  return TERMS.map(([key, name], i) => {
    const sign = i === 0 ? '' : values[i - 1] === sums[key] ? ' = ' : ' ≠ ';
    return `${sign}${name} ${sums[key]}`;
  }).join('');
}

export interface PgbenchDurability {
  readonly acked: number;
  /** Acknowledged transactions with no history row (per client: acknowledged − rows, when positive). */
  readonly lost: number;
  /** History rows beyond the acknowledged transactions (in-flight commits, unflushed log lines). */
  readonly committedUnacked: number;
  /** The clients that lost transactions: tag, acknowledged, rows found. */
  readonly lostClients: readonly { readonly tag: string; readonly acked: number; readonly found: number }[];
}

/** Acknowledged (from the logs) against committed (from pgbench_history), client by client. */
export function durability(
  acked: ReadonlyMap<string, { readonly acked: number }>,
  committed: ReadonlyMap<string, number>,
): PgbenchDurability {
  let total = 0;
  let lost = 0;
  let extra = 0;
  const lostClients: { tag: string; acked: number; found: number }[] = [];
  for (const tag of new Set([...acked.keys(), ...committed.keys()])) {
    const a = acked.get(tag)?.acked ?? 0;
    const found = committed.get(tag) ?? 0;
    total += a;
    if (a > found) {
      lost += a - found;
      lostClients.push({ tag, acked: a, found });
    } else extra += found - a;
  }
  lostClients.sort((x, y) => x.tag.localeCompare(y.tag, 'en', { numeric: true }));
  return { acked: total, lost, committedUnacked: extra, lostClients };
}

/** How many lost clients pgbench_lost_clients names before "… (N more)". */
const LISTED_CLIENTS = 10;

/** The run's figures without the database: what the logs said. */
export function tallyFigures(tally: PgbenchTally): Record<string, number | string> {
  return {
    pgbench_tag: tally.tagPrefix,
    pgbench_tx_acked: tally.acked,
    pgbench_tx_failed: tally.failed + tally.skipped,
    pgbench_segments: tally.segments,
    pgbench_restarts: tally.restarts,
    pgbench_killed: tally.killed,
    ...(tally.overran > 0 && { pgbench_overran: tally.overran }),
    ...(tally.malformed > 0 && { pgbench_log_malformed: tally.malformed }),
    ...(tally.lastError !== undefined && { pgbench_last_error: tally.lastError }),
  };
}

/**
 * The figures the check reads (metrics: pgbench_tx_acked, pgbench_tx_lost,
 * pgbench_tx_committed_unacked, pgbench_invariant, pgbench_restarts, …), from the logs' tally and
 * the state read after recovery.
 */
export function pgbenchFigures(tally: PgbenchTally, state: PgbenchState): Record<string, number | string> {
  const d = durability(tally.clients, state.committed);
  const listed = d.lostClients
    .slice(0, LISTED_CLIENTS)
    .map((c) => `${c.tag}: ${c.acked} acknowledged, ${c.found} in pgbench_history`);
  if (d.lostClients.length > LISTED_CLIENTS) listed.push(`… (${d.lostClients.length - LISTED_CLIENTS} more)`);
  return {
    ...tallyFigures(tally),
    pgbench_tx_lost: d.lost,
    pgbench_tx_committed_unacked: d.committedUnacked,
    ...(listed.length > 0 && { pgbench_lost_clients: listed.join('; ') }),
    pgbench_invariant: balanceInvariant(state.sums),
  };
}
