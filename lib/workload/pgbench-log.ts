/**
 * pgbench's per-transaction log (`--log`), one line per transaction a client finished:
 *
 *   client_id transaction_no time script_no time_epoch time_us [schedule_lag] [retries]
 *
 * `time` is the latency in microseconds of a transaction pgbench saw succeed, its END (COMMIT)
 * answered: an acknowledged commit. Anything else there was not acknowledged: `failed` (pgbench 15:
 * a serialization or deadlock error, rolled back), `serialization` / `deadlock` (the same with
 * --failures-detailed), `skipped` (--latency-limit with --rate: never sent). schedule_lag is there
 * with --rate, retries with --max-tries ≠ 1. A client pgbench aborts (connection lost, any other SQL
 * error) writes no line for the transaction it was in. Formats measured on pgbench 15.18
 * (test/fixtures/pgbench).
 */
export type PgbenchLogOutcome = 'acked' | 'failed' | 'skipped';

export interface PgbenchLogLine {
  readonly client: number;
  readonly transaction: number;
  readonly outcome: PgbenchLogOutcome;
  /** Latency of an acknowledged transaction, microseconds. */
  readonly latencyUs?: number;
  readonly script: number;
  /** When it finished (skipped: when it was due), epoch milliseconds. */
  readonly atMs: number;
}

export interface PgbenchClientCounts {
  readonly acked: number;
  /** Rolled back by pgbench's failure handling (failed, serialization, deadlock). */
  readonly failed: number;
  readonly skipped: number;
}

export interface PgbenchLogSummary {
  /** client_id → its transactions by outcome. */
  readonly clients: ReadonlyMap<number, PgbenchClientCounts>;
  readonly lines: number;
  /**
   * Lines that are not pgbench log lines, and a last line without its newline: a process killed
   * mid-write leaves one cut at its stdio buffer's size, which can look whole ("… 1796171809 4064"
   * from "… 40644"). Never counted as acknowledged.
   */
  readonly malformed: number;
}

const UNACKNOWLEDGED: Readonly<Record<string, Exclude<PgbenchLogOutcome, 'acked'>>> = {
  failed: 'failed',
  serialization: 'failed',
  deadlock: 'failed',
  skipped: 'skipped',
};

const INTEGER = /^\d+$/;

/** One line of a pgbench log, or undefined when it is not one. */
export function parsePgbenchLogLine(line: string): PgbenchLogLine | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 8) return undefined;
  const [client, transaction, time, script, epoch, us] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (![client, transaction, script, epoch, us].every((f) => INTEGER.test(f))) return undefined;
  if (fields.slice(6).some((f) => !INTEGER.test(f))) return undefined;
  const unacknowledged = UNACKNOWLEDGED[time];
  if (!unacknowledged && !INTEGER.test(time)) return undefined;
  return {
    client: Number(client),
    transaction: Number(transaction),
    outcome: unacknowledged ?? 'acked',
    ...(!unacknowledged && { latencyUs: Number(time) }),
    script: Number(script),
    atMs: Number(epoch) * 1000 + Math.floor(Number(us) / 1000),
  };
}

/** Counts a whole log file's lines per client and outcome. */
export function summarizePgbenchLog(text: string): PgbenchLogSummary {
  const lines = text.split('\n');
  // The text after the last newline is a line pgbench did not finish writing (or nothing).
  const cut = lines.pop() ?? '';
  const clients = new Map<number, { acked: number; failed: number; skipped: number }>();
  let count = 0;
  let malformed = cut.trim() ? 1 : 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    count++;
    const parsed = parsePgbenchLogLine(line);
    if (!parsed) {
      malformed++;
      continue;
    }
    const counts = clients.get(parsed.client) ?? { acked: 0, failed: 0, skipped: 0 };
    counts[parsed.outcome]++;
    clients.set(parsed.client, counts);
  }
  return { clients, lines: count + (cut.trim() ? 1 : 0), malformed };
}
