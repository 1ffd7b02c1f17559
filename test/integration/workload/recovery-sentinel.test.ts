import { expect } from 'chai';
import { Timeline } from '../../../lib/observe/timeline.js';
import type { ProbeEvent } from '../../../lib/observe/timeline-events.js';
import { RecoverySentinel } from '../../../lib/workload/recovery-sentinel.js';
import { LocalPostgres } from '../../support/local-postgres.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * The recovery sentinel against a real Postgres 15 on loopback: its one outstanding query spans a
 * stalled server and is answered the moment it runs again; after a restart it reconnects by itself.
 * (How close that brings the RTO to the true outage is a figure: bench/rto-accuracy.ts.)
 */
describe('recovery sentinel (real Postgres)', function () {
  this.timeout(120_000);
  let server: LocalPostgres;
  const timeline = new Timeline();
  let sentinel: RecoverySentinel;
  const answers = (): ProbeEvent[] =>
    timeline.events.filter((e): e is ProbeEvent => e.kind === 'probe' && e.sentinel === true);
  const answersAfter = (t: number) => answers().filter((e) => e.t + e.latencyMs > t);

  before(async () => {
    server = await LocalPostgres.start();
    sentinel = new RecoverySentinel({ endpoint: server.endpoint, sink: timeline });
    sentinel.start();
    await waitFor('the sentinel answering', () => answers().length >= 3, 10_000);
  });

  after(async () => {
    await sentinel?.stop();
    await server?.destroy();
  });

  it('answers a query sent while the server was stalled, once the server runs again', async () => {
    const paused = timeline.now();
    await server.pause();
    await new Promise((r) => setTimeout(r, 1500));
    const resumed = timeline.now();
    await server.resume();
    await waitFor('an answer after the resume', () => answersAfter(resumed).length > 0, 10_000);
    const [first] = answersAfter(resumed);
    expect(first?.t, 'sent during the stall, not after it').to.be.below(resumed).and.at.least(paused);
    expect(first?.ok).to.equal(true);
    expect(first?.mode).to.equal('write');
  });

  it('records no failures, and reconnects on its own after the server restarts', async () => {
    const stopped = timeline.now();
    await server.stopServer('immediate');
    await server.startServer();
    await waitFor('an answer after the restart', () => answersAfter(stopped).length > 0, 20_000);
    expect(answers().every((e) => e.ok)).to.equal(true);
  });
});
