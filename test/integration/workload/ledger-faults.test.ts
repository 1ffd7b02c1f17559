import { setTimeout as sleep } from 'node:timers/promises';
import * as chai from 'chai';
import { expect } from 'chai';
import pg from 'pg';
import { chaiPxchaos } from '../../../lib/assert/chai-pxchaos.js';
import { ledgerConsistent, noAcknowledgedWriteLost, recoveredWithin } from '../../../lib/assert/verdicts.js';
import { computeMetrics, type Metrics } from '../../../lib/observe/metrics.js';
import { Timeline } from '../../../lib/observe/timeline.js';
import type { WriteEvent } from '../../../lib/observe/timeline-events.js';
import { AvailabilityProbe } from '../../../lib/workload/availability-probe.js';
import { WriteLedger } from '../../../lib/workload/write-ledger.js';
import { LocalPostgres } from '../../support/local-postgres.js';
import { waitFor } from '../../support/wait-for.js';

chai.use(chaiPxchaos);

/** One run of ledger + probe against the server, with the fault in between. */
class Harness {
  readonly timeline = new Timeline();
  readonly ledger: WriteLedger;
  readonly probe: AvailabilityProbe;

  constructor(
    readonly server: LocalPostgres,
    options: { writeTimeoutMs?: number } = {},
  ) {
    this.ledger = new WriteLedger({
      endpoint: server.endpoint,
      sink: this.timeline,
      ratePerSec: 20,
      connectTimeoutMs: 500,
      writeTimeoutMs: options.writeTimeoutMs ?? 1000,
    });
    this.probe = new AvailabilityProbe({
      endpoint: server.endpoint,
      sink: this.timeline,
      intervalMs: 100,
      attemptTimeoutMs: 400,
    });
  }

  async start(): Promise<void> {
    await this.ledger.start();
    this.probe.start();
    await this.acksAfter(this.timeline.now(), 10);
  }

  /** Waits until `n` writes sent after t were acknowledged. */
  acksAfter(t: number, n: number, timeoutMs = 30_000): Promise<boolean> {
    return waitFor(
      `${n} acknowledged writes after t=${Math.round(t)}`,
      () => this.writes().filter((w) => w.t >= t && w.outcome === 'acked').length >= n,
      timeoutMs,
    );
  }

  writes(): WriteEvent[] {
    return this.timeline.events.filter((e): e is WriteEvent => e.kind === 'write');
  }

  fault(phase: 'injected' | 'healed', fault: string): number {
    return this.timeline.record({ kind: 'fault', phase, fault, node: 'local' }).t;
  }

  async finish(): Promise<Metrics> {
    await Promise.all([this.ledger.stop(), this.probe.stop()]);
    const ledger = await this.ledger.readBack(this.server.endpoint);
    return computeMetrics({ events: this.timeline.events, measurements: { values: {}, ledger } });
  }

  async stopQuietly(): Promise<void> {
    await Promise.all([this.ledger.stop(), this.probe.stop()]).catch((err: unknown) =>
      console.warn('cleanup:', err),
    );
  }
}

async function admin(server: LocalPostgres): Promise<pg.Client> {
  const client = new pg.Client({
    ...server.endpoint,
    application_name: 'pxchaos-test-admin',
    connectionTimeoutMillis: 5000,
    query_timeout: 10_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('write ledger + probe under real Postgres faults', function () {
  this.timeout(120_000);
  let server: LocalPostgres;
  let harness: Harness | undefined;

  before(async () => {
    server = await LocalPostgres.start();
  });
  afterEach(async () => {
    await harness?.stopQuietly();
    harness = undefined;
  });
  after(async () => {
    await server?.destroy();
  });

  it('classifies writes whose backend was terminated mid-statement as unknown, and they did not commit', async () => {
    harness = new Harness(server, { writeTimeoutMs: 10_000 });
    await harness.start();
    const locker = await admin(server);
    const killer = await admin(server);
    try {
      // Park the ledger's INSERTs on a lock so the termination hits statements in flight.
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${harness.ledger.table} IN ACCESS EXCLUSIVE MODE`);
      await waitFor('a ledger INSERT waiting on the lock', async () => {
        const r = await killer.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pxchaos-ledger' AND wait_event_type = 'Lock'",
        );
        return (r.rows[0] as { n: number }).n >= 1;
      });
      harness.fault('injected', 'terminate-backend');
      const killed = await killer.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pxchaos-ledger'",
      );
      expect(killed.rowCount).to.be.greaterThan(0);
      await locker.query('COMMIT');
      const healedAt = harness.fault('healed', 'terminate-backend');
      await harness.acksAfter(healedAt, 10);
    } finally {
      await locker.end();
      await killer.end();
    }
    const m = await harness.finish();
    const unknown = harness.writes().filter((w) => w.outcome === 'unknown');
    expect(unknown.length, 'unknown writes').to.be.greaterThan(0);
    expect(
      unknown.every((w) => /57P01/.test(w.error ?? '')),
      unknown.map((w) => w.error).join('; '),
    ).to.equal(true);
    expect(m.unknown_not_committed).to.equal(unknown.length);
    expect(m.unknown_committed).to.equal(0);
    expect(m).to.have.lostNoAcknowledgedWrite();
    expect(m).to.have.consistentLedger();
    expect(m.recovered).to.equal('yes');
  });

  it('measures an immediate stop + restart: refused writes failed, recovery after the restart, nothing acknowledged lost', async () => {
    harness = new Harness(server);
    await harness.start();
    const injectedAt = harness.fault('injected', 'server-stop');
    await server.stopServer('immediate');
    const downAt = harness.timeline.now();
    await sleep(2000);
    await server.startServer();
    const upAt = harness.timeline.now();
    const healedAt = harness.fault('healed', 'server-stop');
    await harness.acksAfter(healedAt, 10);
    const m = await harness.finish();

    const failed = harness.writes().filter((w) => w.outcome === 'failed');
    expect(failed.length, 'failed writes').to.be.greaterThan(0);
    expect(
      failed.some((w) => /ECONNREFUSED/.test(w.error ?? '')),
      'a refused connection among the failures',
    ).to.equal(true);
    expect(m.failed_committed, 'writes classified failed but committed').to.equal(0);
    expect(m).to.have.lostNoAcknowledgedWrite();
    expect(m.recovered).to.equal('yes');
    // The outage lasted at least from the stop's completion to the start's.
    expect(m.rto_ms).to.be.at.least(upAt - downAt);
    expect(recoveredWithin(m, upAt - injectedAt + 1500).passed, String(m.rto_ms)).to.equal(true);
    expect(recoveredWithin(m, (upAt - downAt) / 2).passed).to.equal(false);
  });

  it('never stalls on a black-holed server (SIGSTOP): hung writes are unknown, and read-back resolves each', async () => {
    harness = new Harness(server);
    await harness.start();
    const injectedAt = harness.fault('injected', 'sigstop');
    await server.pause();
    const pausedAt = harness.timeline.now();
    const holdMs = 3000;
    await sleep(holdMs);
    const resumingAt = harness.timeline.now();
    await server.resume();
    const healedAt = harness.fault('healed', 'sigstop');
    await harness.acksAfter(healedAt, 10);
    const m = await harness.finish();
    console.log(
      `      measured: rto ${m.rto_ms}ms, ${m.unknown} unknown (${m.unknown_committed} committed), ${m.failed} failed, ${m.probe_failed} failed probes`,
    );

    const during = harness.timeline.events.filter((e) => e.t >= pausedAt && e.t < resumingAt);
    const probesDuring = during.filter((e) => e.kind === 'probe');
    // Attempts kept starting on schedule while earlier ones hung.
    expect(probesDuring.length, 'probe attempts during the black hole').to.be.at.least(
      Math.floor(holdMs / 100 / 2),
    );
    // None succeeded inside the pause (one sent just before the resume may succeed after it).
    const okInside = probesDuring.filter((p) => p.kind === 'probe' && p.ok && p.t + p.latencyMs < resumingAt);
    expect(okInside, JSON.stringify({ pausedAt, resumingAt, okInside })).to.deep.equal([]);
    const writesDuring = during.filter((e): e is WriteEvent => e.kind === 'write');
    expect(
      writesDuring.filter((w) => w.outcome === 'unknown').length,
      'INSERTs sent into the black hole',
    ).to.be.greaterThan(0);
    expect(writesDuring.filter((w) => w.outcome === 'acked' && w.t + w.latencyMs < resumingAt)).to.deep.equal(
      [],
    );
    expect(Number(m.unknown_committed) + Number(m.unknown_not_committed)).to.equal(m.unknown);
    expect(m.failed_committed).to.equal(0);
    expect(noAcknowledgedWriteLost(m).passed, noAcknowledgedWriteLost(m).message).to.equal(true);
    expect(ledgerConsistent(m).passed, ledgerConsistent(m).message).to.equal(true);
    expect(m.rto_ms).to.be.at.least(holdMs);
    expect(m.rto_ms).to.be.below(healedAt - injectedAt + 2000);
  });

  it('fails "no acknowledged write lost" naming the ids deleted behind its back', async () => {
    harness = new Harness(server);
    await harness.start();
    const ackedIds = harness
      .writes()
      .filter((w) => w.outcome === 'acked')
      .map((w) => w.id)
      .slice(2, 5);
    await Promise.all([harness.ledger.stop(), harness.probe.stop()]);
    const client = await admin(server);
    try {
      const deleted = await client.query(
        `DELETE FROM ${harness.ledger.table} WHERE run = $1 AND id = ANY($2::bigint[])`,
        [harness.ledger.run, ackedIds],
      );
      expect(deleted.rowCount).to.equal(3);
    } finally {
      await client.end();
    }
    const m = await harness.finish();
    expect(m.lost_acked).to.equal(3);
    expect(m.lost_acked_ids).to.equal(ackedIds.join(','));
    const verdict = noAcknowledgedWriteLost(m);
    expect(verdict.passed).to.equal(false);
    expect(verdict.message).to.contain(ackedIds.join(','));
    expect(() => expect(m).to.have.lostNoAcknowledgedWrite()).to.throw(ackedIds.join(','));
  });

  it('fails "no acknowledged write lost" naming the ids whose rows were changed after acknowledgement', async () => {
    harness = new Harness(server);
    await harness.start();
    const [payloadId, tsId] = harness
      .writes()
      .filter((w) => w.outcome === 'acked')
      .map((w) => w.id)
      .slice(3, 5);
    await Promise.all([harness.ledger.stop(), harness.probe.stop()]);
    const client = await admin(server);
    try {
      const table = harness.ledger.table;
      const run = harness.ledger.run;
      await client.query(`UPDATE ${table} SET payload = 'tampered' WHERE run = $1 AND id = $2`, [
        run,
        payloadId,
      ]);
      await client.query(
        `UPDATE ${table} SET client_ts = client_ts + interval '1 ms' WHERE run = $1 AND id = $2`,
        [run, tsId],
      );
    } finally {
      await client.end();
    }
    const m = await harness.finish();
    expect(m.lost_acked).to.equal(0);
    expect(m.changed_acked).to.equal(2);
    const verdict = noAcknowledgedWriteLost(m);
    expect(verdict.passed).to.equal(false);
    expect(verdict.message).to.contain(`changed after acknowledgement: ids ${[payloadId, tsId].join(',')}`);
  });
});
