/**
 * Harness cost: CPU and peak RSS of this process while the availability probe (every 100 ms) and
 * the write ledger (20 writes/s) run against a real local Postgres 15 for 60 s.
 *
 *   npx tsx bench/harness-cost.ts [--seconds 60] [--rate 20]
 *
 * CPU is process.cpuUsage() (user + system, all threads of this process, so pg's SCRAM hashing in
 * the thread pool counts) over the run; the Postgres server's own processes are not counted.
 * Targets: ≤ 5 % of one core, ≤ 200 MB peak RSS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { computeMetrics } from '../lib/observe/metrics.js';
import { Timeline } from '../lib/observe/timeline.js';
import { AvailabilityProbe } from '../lib/workload/availability-probe.js';
import { WriteLedger } from '../lib/workload/write-ledger.js';
import { LocalPostgres } from '../test/support/local-postgres.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seconds = arg('--seconds', 60);
const rate = arg('--rate', 20);

const server = await LocalPostgres.start();
try {
  const timeline = new Timeline();
  const ledger = new WriteLedger({ endpoint: server.endpoint, sink: timeline, ratePerSec: rate });
  const probe = new AvailabilityProbe({ endpoint: server.endpoint, sink: timeline });
  await ledger.ensureTable();
  const rssBefore = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await ledger.start();
  probe.start();
  await sleep(seconds * 1000);
  await Promise.all([ledger.stop(), probe.stop()]);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const m = computeMetrics({ events: timeline.events });
  const cpuPct = (100 * cpuMs) / elapsedMs;
  console.log(
    `run: ${(elapsedMs / 1000).toFixed(1)} s, ${m.writes} writes (${m.acked} acked, ${(Number(m.writes) / (elapsedMs / 1000)).toFixed(1)}/s), ${m.probes} probes (${m.probe_failed} failed)`,
  );
  console.log(
    `write latency p50 ${m.write_latency_p50_ms} ms, p99 ${m.write_latency_p99_ms} ms, max ${m.write_latency_max_ms} ms`,
  );
  console.log(
    `CPU: ${cpuMs.toFixed(0)} ms user+system = ${cpuPct.toFixed(2)} % of one core (target ≤ 5 %): ${cpuPct <= 5 ? 'OK' : 'MISSED'}`,
  );
  console.log(
    `RSS: ${(rssBefore / 1048576).toFixed(0)} MB at start, peak ${peakRssMb.toFixed(0)} MB (target ≤ 200 MB): ${peakRssMb <= 200 ? 'OK' : 'MISSED'}; ${timeline.events.length} events held`,
  );
} finally {
  await server.destroy();
}
