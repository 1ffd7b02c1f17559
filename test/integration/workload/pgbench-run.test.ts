import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import pg from 'pg';
import { contentsPreserved, pgbenchAtomicDurable } from '../../../lib/assert/verdicts.js';
import { computeMetrics } from '../../../lib/observe/metrics.js';
import type { Verdict } from '../../../lib/observe/timeline-events.js';
import { loadPgbench } from '../../../lib/workload/pgbench.js';
import { pgbenchFigures, readPgbenchState } from '../../../lib/workload/pgbench-invariants.js';
import { PgbenchRun, TAGGED_TPCB_SCRIPT, type PgbenchTally } from '../../../lib/workload/pgbench-run.js';
import { changedRanges, digestAccounts, type AccountsDigest } from '../../../lib/workload/table-digest.js';
import { LocalPostgres } from '../../support/local-postgres.js';

const run = promisify(execFile);

describe('pgbench transactions through a fault (real Postgres, real pgbench)', function () {
  this.timeout(180_000);
  let server: LocalPostgres;
  let digestBefore: AccountsDigest;
  let tally: PgbenchTally;

  const log = (line: string): void => {
    if (process.env.PXCHAOS_TEST_VERBOSE) console.log(`      ${line}`);
  };

  async function sql<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({
      ...server.endpoint,
      connectionTimeoutMillis: 5000,
      query_timeout: 30_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** The two checks as a scenario computes them: pgbench's figures and the net digest into values, metrics, verdicts. */
  async function checks(): Promise<{ pgbench: Verdict; contents: Verdict }> {
    const state = await readPgbenchState(server.endpoint, tally.tagPrefix);
    const after = await digestAccounts(server.endpoint, { netOfHistoryTagged: tally.tagPrefix });
    const metrics = computeMetrics({
      events: [],
      measurements: {
        values: {
          ...pgbenchFigures(tally, state),
          accounts_digest_before: digestBefore.digest,
          accounts_digest_after: after.digest,
          accounts_digest_net_of: tally.tagPrefix,
          contents_changed: changedRanges(digestBefore, after).join(', '),
        },
      },
    });
    return { pgbench: pgbenchAtomicDurable(metrics), contents: contentsPreserved(metrics) };
  }

  before(async () => {
    server = await LocalPostgres.start();
    await loadPgbench(server.endpoint, 2, { onProgress: () => undefined });
    digestBefore = await digestAccounts(server.endpoint);
  });
  after(async () => {
    await server?.destroy();
  });

  it("runs pgbench's builtin tpcb-like script but for the tagged INSERT", async () => {
    const { stdout, stderr } = await run('pgbench', ['--show-script=tpcb-like']);
    const builtin = (stdout + stderr).split('\n').filter((l) => l.trim() && !l.startsWith('--'));
    const ours = TAGGED_TPCB_SCRIPT.split('\n').filter((l) => l.trim());
    expect(ours).to.have.length(builtin.length);
    const differ = ours.filter((l, i) => l !== builtin[i]);
    expect(differ).to.deep.equal([
      "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime, filler) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP, ':tag' || 'c' || :client_id);",
    ]);
  });

  it('keeps transactions going through a server stop and start: acknowledged, none lost, sums equal, restarted', async () => {
    const pgbench = new PgbenchRun({
      endpoint: server.endpoint,
      scale: 2,
      segmentMs: 3000,
      connectTimeoutMs: 2000,
    });
    await pgbench.start();
    let seen = '';
    try {
      await sleep(4000);
      // The password never reaches a command line.
      for (const pid of await readdir('/proc').then((d) => d.filter((p) => /^\d+$/.test(p)))) {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline.includes(pgbench.tagPrefix)) seen += cmdline;
      }
      await server.stopServer('immediate');
      await sleep(2000);
      await server.startServer();
      await sleep(5000);
    } finally {
      tally = await pgbench.stop();
    }
    log(
      `tally: ${tally.acked} acked, ${tally.segments} segments, ${tally.restarts} restarts; ${tally.lastError ?? ''}`,
    );
    expect(seen, 'a pgbench process of this run').to.include('pgbench');
    expect(seen).not.to.include(server.endpoint.password);
    expect(tally.acked).to.be.above(20);
    expect(tally.restarts).to.be.at.least(1);
    expect(tally.killed).to.equal(0);
    expect(tally.lastError).to.match(/pgbench segment \d+ exited [12]/);
    const state = await readPgbenchState(server.endpoint, tally.tagPrefix);
    const figures = pgbenchFigures(tally, state);
    log(JSON.stringify(figures));
    expect(figures).to.include({ pgbench_tx_lost: 0, pgbench_invariant: 'ok' });
    expect(figures.pgbench_tx_acked).to.equal(tally.acked);
    // At most one unacknowledged commit per client the stop cut off.
    expect(figures.pgbench_tx_committed_unacked).to.be.at.most(2 * tally.segments);
    const verdicts = await checks();
    expect(verdicts.pgbench.passed, verdicts.pgbench.message).to.equal(true);
    expect(verdicts.contents.passed, verdicts.contents.message).to.equal(true);
    // The plain digest does see pgbench's changes: the net one is what makes the comparison hold.
    expect((await digestAccounts(server.endpoint)).digest).not.to.equal(digestBefore.digest);
  });

  it('turns the checks red for a balance rewound behind pgbench’s back, naming the equation and the range', async () => {
    const [row] = await sql<{ aid: number; delta: number }>(
      'SELECT aid, delta FROM pgbench_history WHERE filler LIKE $1 AND delta <> 0 LIMIT 1',
      [`${tally.tagPrefix}%`],
    );
    if (!row) throw new Error('no history row of this run');
    await sql('UPDATE pgbench_accounts SET abalance = abalance - $2 WHERE aid = $1', [row.aid, row.delta]);
    try {
      const { pgbench, contents } = await checks();
      expect(pgbench.passed).to.equal(false);
      expect(pgbench.message).to.match(
        /not atomic: sum\(abalance\) -?\d+ ≠ sum\(tbalance\) -?\d+ = sum\(bbalance\)/,
      );
      expect(contents.passed).to.equal(false);
      const range = Math.floor(row.aid / 100_000) * 100_000;
      expect(contents.message).to.match(new RegExp(`changed: aid ${range}–${range + 99_999}$`));
    } finally {
      await sql('UPDATE pgbench_accounts SET abalance = abalance + $2 WHERE aid = $1', [row.aid, row.delta]);
    }
    expect((await checks()).pgbench.passed).to.equal(true);
  });

  it('turns the check red for a deleted history row of an acknowledged transaction, naming the client', async () => {
    // A client with no commit to spare (history rows = acknowledged transactions): any row gone is a loss.
    const committed = (await readPgbenchState(server.endpoint, tally.tagPrefix)).committed;
    const [tag, { acked }] = [...tally.clients].find(
      ([t, c]) => c.acked > 0 && committed.get(t) === c.acked,
    ) ?? ['', { acked: 0 }];
    const [gone] = await sql<Record<string, unknown>>(
      `DELETE FROM pgbench_history WHERE ctid = (
         SELECT ctid FROM pgbench_history WHERE rtrim(filler) = $1 AND delta <> 0 LIMIT 1)
       RETURNING tid, bid, aid, delta, mtime, filler`,
      [tag],
    );
    if (!gone) throw new Error(`no history row tagged ${tag}`);
    try {
      const { pgbench } = await checks();
      expect(pgbench.passed).to.equal(false);
      expect(pgbench.message).to.contain(
        `1 acknowledged transactions missing from pgbench_history (${tag}: ${acked} acknowledged, ${acked - 1} in pgbench_history)`,
      );
      // Its delta went with it: the history's sum no longer matches the balances.
      expect(pgbench.message).to.match(/= sum\(bbalance\) -?\d+ ≠ sum\(pgbench_history\.delta\)/);
    } finally {
      await sql(
        'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime, filler) VALUES ($1, $2, $3, $4, $5, $6)',
        [gone.tid, gone.bid, gone.aid, gone.delta, gone.mtime, gone.filler],
      );
    }
    expect((await checks()).pgbench.passed).to.equal(true);
  });

  it('turns only the pgbench check red for a changed teller balance, naming sum(tbalance)', async () => {
    await sql('UPDATE pgbench_tellers SET tbalance = tbalance + 7 WHERE tid = 3');
    try {
      const { pgbench, contents } = await checks();
      expect(pgbench.passed).to.equal(false);
      expect(pgbench.message).to.match(
        /not atomic: sum\(abalance\) (-?\d+) ≠ sum\(tbalance\) (-?\d+) ≠ sum\(bbalance\)/,
      );
      expect(contents.passed, contents.message).to.equal(true);
    } finally {
      await sql('UPDATE pgbench_tellers SET tbalance = tbalance - 7 WHERE tid = 3');
    }
  });

  /**
   * Runs pgbench with segments of segmentMs, black-holes the server (SIGSTOP) once this run's
   * transactions are committing, holds it holdMs, stops pgbench, resumes the server.
   */
  async function blackHoled(
    segmentMs: number,
    holdMs: number,
  ): Promise<{ tally: PgbenchTally; stopMs: number }> {
    const pgbench = new PgbenchRun({
      endpoint: server.endpoint,
      scale: 2,
      segmentMs,
      connectTimeoutMs: 2000,
    });
    await pgbench.start();
    try {
      const committing = performance.now() + 10_000;
      while (performance.now() < committing) {
        const [row] = await sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM pgbench_history WHERE filler LIKE $1',
          [`${pgbench.tagPrefix}%`],
        );
        if ((row?.n ?? 0) >= 3) break;
        await sleep(100);
      }
      await server.pause();
      await sleep(holdMs);
      const started = performance.now();
      const stopped = await pgbench.stop();
      return { tally: stopped, stopMs: performance.now() - started };
    } finally {
      await server.resume();
      await pgbench.stop();
    }
  }

  it('cuts the sessions of a segment black-holed past its time: pgbench exits with its log flushed', async () => {
    // The first segment (5 s) hangs; 5 s past it and its 2 s connect deadline its sessions are cut.
    const { tally: black } = await blackHoled(5000, 13_000);
    log(
      `black hole: ${black.acked} acked, ${black.segments} segments, ${black.killed} killed; ${black.lastError ?? ''}`,
    );
    expect(black).to.include({ overran: 1, killed: 0 });
    expect(black.segments).to.be.at.least(2);
    expect(black.acked).to.be.at.least(3);
    const figures = pgbenchFigures(black, await readPgbenchState(server.endpoint, black.tagPrefix));
    expect(figures).to.include({ pgbench_tx_lost: 0, pgbench_invariant: 'ok' });
  });

  it('stops within its bound while a segment hangs on a black-holed server, losing no log line', async () => {
    const { tally: hung, stopMs } = await blackHoled(10_000, 1000);
    log(
      `stopped while hung: ${hung.acked} acked, ${hung.segments} segments, stop took ${Math.round(stopMs)} ms`,
    );
    // SIGALRM cannot end a client waiting on the server; cutting its sessions 1 s later does.
    expect(stopMs).to.be.within(800, 4000);
    expect(hung).to.include({ segments: 1, overran: 0, killed: 0 });
    expect(hung.acked).to.be.at.least(3);
    const figures = pgbenchFigures(hung, await readPgbenchState(server.endpoint, hung.tagPrefix));
    expect(figures).to.include({ pgbench_tx_lost: 0, pgbench_invariant: 'ok' });
  });

  it('says why when pgbench cannot run at all, without restarting it', async () => {
    const pgbench = new PgbenchRun({ endpoint: server.endpoint, scale: 2, command: '/nonexistent/pgbench' });
    await pgbench.start();
    await sleep(500);
    const t = await pgbench.stop();
    expect(t).to.include({ segments: 1, restarts: 0, acked: 0 });
    expect(t.lastError).to.match(/pgbench could not run on the harness host: .*ENOENT/);
    const metrics = { ...pgbenchFigures(t, await readPgbenchState(server.endpoint, t.tagPrefix)) };
    const v = pgbenchAtomicDurable(metrics);
    expect(v.passed).to.equal(false);
    expect(v.message).to.contain('pgbench acknowledged no transaction').and.to.contain('ENOENT');
  });
});
