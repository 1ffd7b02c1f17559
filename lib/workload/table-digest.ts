import { createHash } from 'node:crypto';
import type { PgEndpoint } from '../sut/sut.js';
import { readQuery } from './read-query.js';

/**
 * The contents of pgbench_accounts, not only its size: per range of `aid`, the row count and the sum
 * of a 64-bit hash of each row's every column (aid, bid, abalance, filler), so a changed balance, a
 * torn row or a rewound UPDATE shows up even when the count is the same, and the message can say
 * where. Each row's text holds its key, so the sum needs no ordering.
 */
export interface AccountsDigest {
  readonly rows: number;
  /** md5 of the range digests in order: equal digests = equal contents. */
  readonly digest: string;
  /** Range start (aid / rangeSize) → `<rows>:<sum of the rows' hashes>` of that range. */
  readonly ranges: ReadonlyMap<number, string>;
  readonly rangeSize: number;
}

/** 100,000 rows per range: pgbench's rows per scale unit, so a changed range names one scale unit. */
export const DIGEST_RANGE_ROWS = 100_000;

/**
 * No sort anywhere: an md5 over each range's rows in aid order (string_agg ... ORDER BY aid) sorted
 * 1,000,000 rows twice and spilled ~190 MB of temp files, which on the kube lab's Gluster volume
 * took 23-33 s per digest; this reads the table once (2 s for 1,000,000 rows on the lab, no temp
 * file). OFFSET 0 keeps the subquery whole, so the planner hashes the ~10 groups instead of sorting
 * the rows by a key whose group count it cannot estimate.
 */
const DIGEST_SQL = `SELECT r AS range, count(*)::int AS n, sum(h)::text AS d FROM (
  SELECT (aid / $1)::int AS r,
    hashtextextended(aid || ',' || bid || ',' || abalance || ',' || coalesce(filler, ''), 0) AS h
  FROM pgbench_accounts OFFSET 0) t
  GROUP BY 1 ORDER BY 1`;

/**
 * The same digest with each balance net of this run's pgbench transactions: abalance minus the sum
 * of the deltas of the history rows tagged by this run (pgbench-run.ts). With every transaction
 * whole, it equals the digest taken before they ran; a balance changed without its history row (a
 * torn or rewound transaction) or a history row without its balance change shows in its range.
 * Still one read of the table and no sort of it: the plan is a Hash Left Join whose hashed side is
 * the small aggregate of this run's history rows (its own sort is of those rows only), no temp
 * file. Measured with PostgreSQL 15 on 1,000,000 rows and 1,852 history rows of the run (2 cores,
 * load average 6-10): 2.3-3.8 s, median 2.8 s, against 2.4-3.1 s, median 2.9 s, for DIGEST_SQL
 * (5 runs each, alternating): the difference is in the noise.
 */
const NET_DIGEST_SQL = `SELECT r AS range, count(*)::int AS n, sum(h)::text AS d FROM (
  SELECT (a.aid / $1)::int AS r,
    hashtextextended(a.aid || ',' || a.bid || ',' || (a.abalance - coalesce(x.delta, 0)) || ',' || coalesce(a.filler, ''), 0) AS h
  FROM pgbench_accounts a LEFT JOIN (
    SELECT aid, sum(delta) AS delta FROM pgbench_history WHERE filler LIKE $2 GROUP BY aid) x ON x.aid = a.aid
  OFFSET 0) t
  GROUP BY 1 ORDER BY 1`;

export interface DigestOptions {
  readonly signal?: AbortSignal;
  /** Deadline of the query (default 120 s: 1,000,000 rows take ~2 s on the lab). */
  readonly timeoutMs?: number;
  readonly rangeSize?: number;
  /** Digest the balances net of the pgbench_history rows whose filler starts with this (NET_DIGEST_SQL). */
  readonly netOfHistoryTagged?: string;
}

/** Reads the digest through the endpoint; retried on a session error (a failover), like a count. */
export async function digestAccounts(
  endpoint: PgEndpoint,
  options: DigestOptions = {},
): Promise<AccountsDigest> {
  const { signal, timeoutMs = 120_000, rangeSize = DIGEST_RANGE_ROWS, netOfHistoryTagged: tag } = options;
  if (tag !== undefined && !/^[0-9a-z]+$/.test(tag)) throw new RangeError(`not a pgbench tag prefix: ${tag}`);
  const [sql, values] =
    tag === undefined ? [DIGEST_SQL, [rangeSize]] : [NET_DIGEST_SQL, [rangeSize, `${tag}%`]];
  const rows = await readQuery<{ range: number; n: number; d: string }>(endpoint, sql, values, {
    applicationName: 'pxchaos-digest',
    timeoutMs,
    retries: 2,
    ...(signal && { signal }),
  });
  return digestOf(rows, rangeSize);
}

/** The digest from the per-range rows of DIGEST_SQL. */
export function digestOf(
  rows: readonly { range: number; n: number; d: string }[],
  rangeSize: number,
): AccountsDigest {
  const ranges = new Map(rows.map((r) => [r.range, `${r.n}:${r.d}`]));
  const all = [...ranges.entries()].map(([r, d]) => `${r}=${d}`).join('|');
  return {
    rows: rows.reduce((sum, r) => sum + r.n, 0),
    digest: createHash('md5').update(all).digest('hex'),
    ranges,
    rangeSize,
  };
}

/** The aid ranges whose contents differ (present on one side only, or with another digest), as text. */
export function changedRanges(before: AccountsDigest, after: AccountsDigest): string[] {
  const keys = [...new Set([...before.ranges.keys(), ...after.ranges.keys()])].sort((a, b) => a - b);
  return keys
    .filter((k) => before.ranges.get(k) !== after.ranges.get(k))
    .map((k) => `aid ${k * before.rangeSize}–${(k + 1) * before.rangeSize - 1}`);
}
