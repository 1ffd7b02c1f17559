import { expect } from 'chai';
import pg from 'pg';
import { contentsPreserved, rowsPreserved } from '../../../lib/assert/verdicts.js';
import { computeMetrics } from '../../../lib/observe/metrics.js';
import { countRows, loadPgbench, ROWS_PER_SCALE } from '../../../lib/workload/pgbench.js';
import { changedRanges, digestAccounts } from '../../../lib/workload/table-digest.js';
import { LocalPostgres } from '../../support/local-postgres.js';
import { LocalNodeAccess } from '../../support/local-node-access.js';

describe('pgbench dataset (real Postgres, real pgbench)', function () {
  this.timeout(120_000);
  let server: LocalPostgres;

  before(async () => {
    server = await LocalPostgres.start();
  });
  after(async () => {
    await server?.destroy();
  });

  it('loads scale N on the harness host and verifies 100000×N rows, reporting progress', async () => {
    const lines: string[] = [];
    const load = await loadPgbench(server.endpoint, 2, { onProgress: (l) => lines.push(l) });
    expect(load.rows).to.equal(2 * ROWS_PER_SCALE);
    expect(await countRows(server.endpoint, 'public.pgbench_accounts')).to.equal(2 * ROWS_PER_SCALE);
    expect(
      lines.some((l) => /pgbench -i: \d+% /.test(l)),
      lines.join('\n'),
    ).to.equal(true);
    expect(lines.join('\n')).not.to.contain(server.endpoint.password);
  });

  it('runs on a node through NodeAccess with the password on stdin, never in argv', async () => {
    const node = new LocalNodeAccess('n1');
    const load = await loadPgbench(server.endpoint, 1, { runOn: node, onProgress: () => undefined });
    expect(load).to.include({ rows: ROWS_PER_SCALE, ranOn: 'node n1' });
    expect(node.history).to.have.length(1);
    expect(node.history[0]?.join(' ')).not.to.contain(server.endpoint.password);
    expect(node.history[0]).to.include('pgbench').and.to.include('-s');
  });

  it('fails with pgbench’s own message when the password is wrong', async () => {
    const wrong = { ...server.endpoint, password: 'not-the-password' };
    try {
      await loadPgbench(wrong, 1, { onProgress: () => undefined });
      expect.fail('loaded with a wrong password');
    } catch (err) {
      expect((err as Error).message).to.match(/password authentication failed/);
      expect((err as Error).message).not.to.contain('not-the-password');
    }
  });

  it('makes "rows preserved" fail when rows are deleted behind the harness’s back', async () => {
    await loadPgbench(server.endpoint, 1, { onProgress: () => undefined });
    const rowsBefore = await countRows(server.endpoint, 'pgbench_accounts');
    const client = new pg.Client({
      ...server.endpoint,
      connectionTimeoutMillis: 5000,
      query_timeout: 10_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('DELETE FROM pgbench_accounts WHERE aid <= 10');
    } finally {
      await client.end();
    }
    const rowsAfter = await countRows(server.endpoint, 'pgbench_accounts');
    const metrics = computeMetrics({
      events: [],
      measurements: { values: { rows_before: rowsBefore, rows_after: rowsAfter } },
    });
    const verdict = rowsPreserved(metrics);
    expect(verdict.passed).to.equal(false);
    expect(verdict.message).to.equal(`expected ${rowsBefore} rows, found ${rowsBefore - 10} (-10)`);
    expect(rowsPreserved({ rows_before: rowsBefore, rows_after: rowsBefore }).passed).to.equal(true);
  });

  it('makes "contents preserved" fail when a balance changes behind the harness’s back, naming the aid range, while the count stays', async () => {
    await loadPgbench(server.endpoint, 2, { onProgress: () => undefined });
    const before = await digestAccounts(server.endpoint);
    expect(before.rows).to.equal(2 * ROWS_PER_SCALE);
    // Read twice, the same contents give the same digest.
    expect((await digestAccounts(server.endpoint)).digest).to.equal(before.digest);
    const client = new pg.Client({
      ...server.endpoint,
      connectionTimeoutMillis: 5000,
      query_timeout: 10_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      // What a rewound or torn UPDATE looks like: same rows, one balance different.
      await client.query('UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 123456');
    } finally {
      await client.end();
    }
    const after = await digestAccounts(server.endpoint);
    expect(after.rows).to.equal(before.rows);
    expect(after.digest).to.not.equal(before.digest);
    const changed = changedRanges(before, after);
    expect(changed).to.deep.equal(['aid 100000–199999']);
    const metrics = computeMetrics({
      events: [],
      measurements: {
        values: {
          rows_before: before.rows,
          rows_after: after.rows,
          accounts_digest_before: before.digest,
          accounts_digest_after: after.digest,
          contents_changed: changed.join(', '),
        },
      },
    });
    expect(rowsPreserved(metrics).passed).to.equal(true);
    const verdict = contentsPreserved(metrics);
    expect(verdict.passed).to.equal(false);
    expect(verdict.message).to.equal(
      `expected pgbench_accounts unchanged; digest ${before.digest.slice(0, 12)} → ${after.digest.slice(0, 12)}, changed: aid 100000–199999`,
    );
    expect(
      contentsPreserved({ accounts_digest_before: before.digest, accounts_digest_after: before.digest })
        .passed,
    ).to.equal(true);
  });

  it('gives up on a count within its deadline when the server is black-holed', async () => {
    await server.pause();
    try {
      const started = performance.now();
      const err = await countRows(server.endpoint, 'pgbench_accounts', { timeoutMs: 500, retries: 0 }).catch(
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(Error);
      expect(performance.now() - started).to.be.below(5000);
    } finally {
      await server.resume();
    }
  });
});
