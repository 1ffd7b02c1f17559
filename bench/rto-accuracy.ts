/**
 * RTO accuracy: scripted outages of a known length against a real local Postgres 15, measured by
 * the write ledger + availability probe + recovery sentinel exactly as a scenario measures them.
 *
 *   npx tsx bench/rto-accuracy.ts [--runs 3] [--outage 5000] [--reconnect-ms 25] [--no-sentinel]
 *
 * --reconnect-ms: the sentinel's pause after a failed connect (the lab's leader proxy: 25 ms; on
 * Kubernetes the probe's interval, 100 ms). --no-sentinel: the probe and ledger alone, as before.
 *
 * Two kinds of outage, each held for exactly --outage ms after the fault is journaled:
 * - pause: SIGSTOP of the postmaster and all backends, SIGCONT after the outage (a TCP black hole
 *   that ends at a known instant);
 * - stop-start: pg_ctl stop -m immediate, pg_ctl start after the outage. The server is back when its
 *   log says "ready to accept connections" (epoch-ms log prefix), which includes crash recovery.
 * Error = measured RTO − true outage (true: resume instant, or the server's ready time).
 * Target: |error| ≤ 50 ms.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { computeMetrics } from '../lib/observe/metrics.js';
import { Timeline } from '../lib/observe/timeline.js';
import type { WriteEvent } from '../lib/observe/timeline-events.js';
import { AvailabilityProbe } from '../lib/workload/availability-probe.js';
import { RecoverySentinel } from '../lib/workload/recovery-sentinel.js';
import { WriteLedger } from '../lib/workload/write-ledger.js';
import { LocalPostgres } from '../test/support/local-postgres.js';
import { waitFor } from '../test/support/wait-for.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = arg('--runs', 3);
const outageMs = arg('--outage', 5000);
const reconnectMs = arg('--reconnect-ms', 25);
const withSentinel = !args.includes('--no-sentinel');
const TARGET_MS = 50;

interface Row {
  kind: string;
  run: number;
  rtoMs: number;
  trueMs: number;
  errorMs: number;
  vsScriptMs: number;
}

async function readyWall(server: LocalPostgres, after: number): Promise<number | undefined> {
  const log = await server.serverLog();
  const times = [...log.matchAll(/^(\d+\.\d+) .*ready to accept connections/gm)].map(
    (m) => Number(m[1]) * 1000,
  );
  return times.find((t) => t >= after);
}

async function once(server: LocalPostgres, kind: 'pause' | 'stop-start', run: number): Promise<Row> {
  const timeline = new Timeline();
  const ledger = new WriteLedger({
    endpoint: server.endpoint,
    sink: timeline,
    ratePerSec: 20,
    connectTimeoutMs: 500,
    writeTimeoutMs: 1000,
  });
  const probe = new AvailabilityProbe({
    endpoint: server.endpoint,
    sink: timeline,
    intervalMs: 100,
    attemptTimeoutMs: 400,
  });
  const acksSince = (t: number): number =>
    timeline.events.filter((e): e is WriteEvent => e.kind === 'write' && e.t >= t && e.outcome === 'acked')
      .length;
  const sentinel = withSentinel
    ? new RecoverySentinel({ endpoint: server.endpoint, sink: timeline, intervalMs: 100, reconnectMs })
    : undefined;
  await ledger.start();
  probe.start();
  sentinel?.start();
  await waitFor('steady writes', () => acksSince(0) >= 20);

  const injected = timeline.record({ kind: 'fault', phase: 'injected', fault: kind, node: 'local' });
  let trueMs: number;
  if (kind === 'pause') {
    await server.pause();
    await sleep(injected.t + outageMs - timeline.now());
    const resumeStart = timeline.now();
    await server.resume();
    trueMs = (resumeStart + timeline.now()) / 2 - injected.t;
  } else {
    await server.stopServer('immediate');
    await sleep(injected.t + outageMs - timeline.now());
    await server.startServer();
    const ready = await readyWall(server, injected.wall);
    if (ready === undefined)
      throw new Error('no "ready to accept connections" line after the stop in the server log');
    trueMs = ready - injected.wall;
  }
  const healed = timeline.record({ kind: 'fault', phase: 'healed', fault: kind, node: 'local' });
  await waitFor('writes after recovery', () => acksSince(healed.t) >= 10);
  await Promise.all([ledger.stop(), probe.stop(), sentinel?.stop()]);
  const m = computeMetrics({ events: timeline.events });
  const rtoMs = Number(m.rto_ms);
  return { kind, run, rtoMs, trueMs, errorMs: rtoMs - trueMs, vsScriptMs: rtoMs - outageMs };
}

const server = await LocalPostgres.start({
  settings: { log_line_prefix: "'%n '", log_min_messages: 'info' },
});
const rows: Row[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    for (const kind of ['pause', 'stop-start'] as const) {
      const row = await once(server, kind, run);
      rows.push(row);
      console.log(
        `${kind.padEnd(10)} run ${run}: rto ${row.rtoMs.toFixed(0)} ms, true outage ${row.trueMs.toFixed(0)} ms, ` +
          `error ${row.errorMs >= 0 ? '+' : ''}${row.errorMs.toFixed(0)} ms (vs the scripted ${outageMs} ms: ${row.vsScriptMs >= 0 ? '+' : ''}${row.vsScriptMs.toFixed(0)} ms)`,
      );
    }
  }
} finally {
  await server.destroy();
}
for (const kind of ['pause', 'stop-start']) {
  const errors = rows.filter((r) => r.kind === kind).map((r) => Math.abs(r.errorMs));
  const worst = Math.max(...errors);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  console.log(
    `${kind}: |RTO − true outage| mean ${mean.toFixed(0)} ms, worst ${worst.toFixed(0)} ms (target ≤ ${TARGET_MS} ms): ${worst <= TARGET_MS ? 'OK' : 'MISSED'}`,
  );
}
