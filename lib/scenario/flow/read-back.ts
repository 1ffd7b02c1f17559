import { setTimeout as sleep } from 'node:timers/promises';
import type { LedgerReadBack } from '../../observe/ledger-check.js';
import type { Sut } from '../../sut/sut.js';
import { tallyFigures } from '../../workload/pgbench-invariants.js';
import { changedRanges, digestAccounts } from '../../workload/table-digest.js';
import { checkNothingLeftBehind } from '../nothing-left-behind.js';
import type { ScenarioContext } from './scenario-context.js';

/**
 * Read back, in parallel: the ledger, the table's digest (net of this run's pgbench transactions),
 * the primary, leftovers, pgbench's invariants. Each failure is recorded as why its check could not
 * measure. A vanished target is one line instead of a minute of timeouts. The lease is released.
 */
export async function readBack(ctx: ScenarioContext): Promise<LedgerReadBack | undefined> {
  const { held, facts, values } = ctx;
  const lease = held.lease;
  if (!lease) return undefined;
  try {
    const gone = held.presence?.gone;
    if (gone !== undefined) {
      facts.leftovers = [gone];
      if (held.workload?.pgbench)
        Object.assign(values, tallyFigures(held.workload.pgbench.tally), { pgbench_error: gone });
      return undefined;
    }
    return await readEverything(ctx, lease.target.sut);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

async function readEverything(ctx: ScenarioContext, sut: Sut): Promise<LedgerReadBack | undefined> {
  const { held, facts, values } = ctx;
  const workload = held.workload;
  ctx.mark("assert: read back the ledger, count rows, check pgbench's tables, look for leftovers");
  // With pgbench running, the contents are compared net of its transactions (table-digest.ts).
  const netOf = workload?.pgbench?.tagPrefix;
  const [ledger, digest, primary, leftovers, pgbench] = await Promise.allSettled([
    workload ? workload.readBack(ctx.within(60_000)) : Promise.reject(new Error('no ledger')),
    sut.writeEndpoint(ctx.within(10_000)).then((e) =>
      digestAccounts(e, {
        signal: ctx.within(180_000),
        ...(netOf !== undefined && { netOfHistoryTagged: netOf }),
      }),
    ),
    primaryAfterRecovery(ctx, sut),
    checkNothingLeftBehind(sut),
    workload?.pgbenchCheck(ctx.within(180_000)),
  ]);
  if (digest.status === 'fulfilled') {
    const after = digest.value;
    values.rows_after = after.rows;
    values.accounts_digest_after = after.digest;
    if (netOf !== undefined) values.accounts_digest_net_of = netOf;
    if (held.digestBefore) {
      const changed = changedRanges(held.digestBefore, after);
      values.contents_changed_ranges = changed.length;
      if (changed.length) values.contents_changed = changed.slice(0, 5).join(', ');
    }
  }
  // Why the table could not be read back: the rows/contents verdicts then say "not measured".
  else values.table_read_error = reason(digest.reason);
  if (primary.status === 'fulfilled') values.primary_after = primary.value;
  // Why the primary could not be named: the placement check then says "none was found".
  else values.primary_after_error = reason(primary.reason);
  facts.leftovers =
    leftovers.status === 'fulfilled'
      ? leftovers.value
      : [`leftover check failed: ${String(leftovers.reason)}`];
  if (pgbench.status === 'fulfilled' && pgbench.value) Object.assign(values, pgbench.value);
  return ledger.status === 'fulfilled' ? ledger.value : undefined;
}

const reason = (err: unknown): string => String((err as Error | undefined)?.message ?? err);

/**
 * The primary once the run is over. Asked again for up to 30 s: it is read while the table digest
 * loads the machine, and on the lab's 2 cores Patroni's REST answers (1 s deadline) then miss often
 * enough that a single ask found no leader in 2 of 4 runs of a healthy cluster (measured 2026-12-02).
 */
async function primaryAfterRecovery(ctx: ScenarioContext, sut: Sut): Promise<string> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      return await sut.primaryNode(ctx.within(10_000));
    } catch (err) {
      if (performance.now() >= deadline) throw err;
      await sleep(1000);
    }
  }
}
