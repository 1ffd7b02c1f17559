/**
 * The live view's cost and promptness: a recorded run's events (the kind/gluster fixture's
 * network-partition: ledger writes, probes, platform events, steps) recorded again at their real pace
 * into a Timeline, with and without the live view (its server and a headless Chromium page watching).
 *
 *   npx tsx bench/live-view.ts [--seconds 30]
 *
 * Prints the harness process's CPU (user + system, % of one core) in both runs and their difference
 * (goal: the live view adds ≤ 1 %), and how long events took from being recorded to the page: the
 * page notes each batch's newest event's age on arrival (goal: ≤ 500 ms), sampled every 20 ms plus
 * the page's own maximum.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLiveServer } from '../lib/live/live-server.js';
import { LiveView } from '../lib/live/live-view.js';
import { Timeline } from '../lib/observe/timeline.js';
import type { TimelineEvent } from '../lib/observe/timeline-events.js';
import { parseTimeline } from '../lib/report/timeline-data.js';
import { launchHeadlessBrowser } from '../test/support/headless-browser.js';

const args = process.argv.slice(2);
const i = args.indexOf('--seconds');
const seconds = i >= 0 ? Number(args[i + 1]) : 30;
const FIXTURE = new URL(
  '../test/fixtures/reports/kind-gluster/network-partition.timeline.json',
  import.meta.url,
);

const all = parseTimeline(JSON.parse(await readFile(FIXTURE, 'utf8'))).events;
// From the first ledger write on: the baseline, the fault and the recovery (before it, pgbench loads).
const recorded = all.slice(all.findIndex((e) => e.kind === 'write'));
const first = recorded[0]?.t ?? 0;

/** Records the fixture's events at their pace for `seconds`; returns the process's CPU % of a core. */
async function play(timeline: Timeline, playSeconds = seconds): Promise<{ cpuPct: number; events: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let n = 0;
  for (const e of recorded) {
    const at = e.t - first;
    if (at > playSeconds * 1000) break;
    const due = started + at - performance.now();
    if (due > 0) await sleep(due);
    const { t: _t, wall: _wall, ...rest } = e as TimelineEvent & Record<string, unknown>;
    timeline.record(rest);
    n++;
  }
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  return { cpuPct: ((used.user + used.system) / 1000 / wallMs) * 100, events: n };
}

await play(new Timeline(), 5); // warm-up: the first run would pay for loading and compiling
const without = await play(new Timeline());
console.log(
  `without the live view: ${without.events} events in ${seconds} s, harness CPU ${without.cpuPct.toFixed(2)} % of a core`,
);

const view = new LiveView('bench');
const server = await startLiveServer(view, { host: '127.0.0.1', port: 0, reportFile: () => undefined });
const browser = await launchHeadlessBrowser();
try {
  const page = await browser.openPage(server.url, { width: 1400, height: 1000 });
  const watched = (title: string): Timeline => {
    const timeline = new Timeline();
    const id = view.beginScenario(title);
    timeline.subscribe((e) => view.event(id, e));
    return timeline;
  };
  // CPU with nobody asking the page anything; then promptness, the page asked every 20 ms.
  const withView = await play(watched('network-partition (replayed: cost)'));
  console.log(`with the live view and a page: harness CPU ${withView.cpuPct.toFixed(2)} % of a core`);
  console.log(`live view cost: ${(withView.cpuPct - without.cpuPct).toFixed(2)} % of a core (goal ≤ 1 %)`);
  const lags: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    let last = '';
    while (sampling) {
      const lag = await page.evaluate<string>('document.body.dataset.lagMs ?? ""');
      if (lag && lag !== last) lags.push(Number(lag));
      last = lag;
      await sleep(20);
    }
  })();
  await play(watched('network-partition (replayed: promptness)'));
  await sleep(500);
  sampling = false;
  await sampler;
  const pageMax = Number(await page.evaluate<string>('document.body.dataset.lagMaxMs ?? "NaN"'));
  lags.sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? NaN;
  console.log(
    `recorded → on the page: ${lags.length} batches sampled, median ${q(50)} ms, p90 ${q(90)} ms, max ${lags.at(-1) ?? NaN} ms; the page's own max over both runs ${pageMax} ms (goal ≤ 500 ms)`,
  );
} finally {
  await browser.close();
  await server.close();
}
