import { expect } from 'chai';
import type { TimelineEvent } from '../../../lib/observe/timeline-events.js';
import { renderHtml } from '../../../lib/report/html.js';
import { renderTimelineChart } from '../../../lib/report/timeline-chart.js';
import { formatDuration } from '../../../lib/time/duration.js';
import { syntheticRun } from '../../support/synthetic-run.js';

const runs = [
  syntheticRun({ scenario: 'network-partition', seed: 1, holdMs: 40_000 }),
  syntheticRun({
    scenario: 'agent-down-past-grace',
    seed: 2,
    holdMs: 25_000,
    outageMs: 30_000,
    recoveryWithinMs: 20_000,
  }),
];

function faultTimes(events: readonly TimelineEvent[]): { injected: number; healed: number } {
  const injected = events.find((e) => e.kind === 'fault' && e.phase === 'injected');
  const healed = events.find((e) => e.kind === 'fault' && e.phase === 'healed');
  if (!injected || !healed) throw new Error('fixture without a fault window');
  return { injected: injected.t, healed: healed.t };
}

describe('renderHtml', () => {
  const html = renderHtml(
    runs.map((r) => r.result),
    new Map(runs.map((r) => [r.result.scenario, r.timeline])),
  );

  it('has one timeline chart per scenario', () => {
    expect(html.match(/<svg\b/g)).to.have.length(runs.length);
    for (const r of runs) expect(html).to.include(`id="s${runs.indexOf(r)}-${r.result.scenario}`);
  });

  it('shades each fault window from injected to healed', () => {
    for (const r of runs) {
      const { injected, healed } = faultTimes(r.timeline.events);
      expect(html).to.include(`fault window: partition n1, ${formatDuration(healed - injected)}`);
    }
  });

  it('draws the shaded window exactly between the injected and healed markers', () => {
    const svg = renderTimelineChart(runs[0]!.timeline.events);
    const shade =
      /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*fill-opacity="0.08"><title>fault window/.exec(svg);
    const markerX = (what: string) =>
      Number(new RegExp(`<title>fault ${what}: [^<]*</title><line x1="([\\d.]+)"`).exec(svg)?.[1]);
    expect(shade, 'shaded fault window').not.to.equal(null);
    const x0 = Number(shade?.[1]);
    const x1 = x0 + Number(shade?.[2]);
    expect(x0).to.be.closeTo(markerX('injected'), 0.2);
    expect(x1).to.be.closeTo(markerX('healed'), 0.2);
    expect(x1 - x0).to.be.greaterThan(100);
  });

  it('colours verdicts by outcome and shows failures with expected vs measured', () => {
    const failing = runs.flatMap((r) => r.result.verdicts).filter((v) => !v.passed);
    expect(failing).not.to.be.empty;
    for (const v of failing)
      expect(html).to.match(
        new RegExp(`<tr class="fail"><td class="mark">✘</td><td>${v.name.replace(/[()]/g, '\\$&')}</td>`),
      );
    expect(html.match(/<tr class="pass">/g)?.length).to.equal(
      runs.flatMap((r) => r.result.verdicts).filter((v) => v.passed).length,
    );
  });

  it("shows pgbench's transactions acknowledged and lost among the headline figures, a loss marked", () => {
    const lost = syntheticRun({ scenario: 'drive-offline', seed: 4, pgbenchLost: 3 });
    const page = renderHtml([lost.result], new Map([[lost.result.scenario, lost.timeline]]));
    expect(page).to.include(
      '<div class="figure bad"><div class="value">3</div><div class="label">pgbench transactions lost</div></div>',
    );
    expect(page).to.match(
      /<div class="value">[\d,]+<\/div><div class="label">pgbench transactions acked<\/div>/,
    );
    expect(page).to.match(
      /<tr class="fail"><td class="mark">✘<\/td><td>pgbench transactions atomic and durable<\/td>/,
    );
    expect(html).to.include(
      '<div class="figure"><div class="value">0</div><div class="label">pgbench transactions lost</div></div>',
    );
  });

  it('is self-contained: no scripts, no external fetches', () => {
    expect(html).not.to.match(/<script\b|<link\b|<img\b|@import|url\(|src=|href="(?!#)/i);
  });

  it('escapes event text and keeps secrets out', () => {
    const { result, timeline } = syntheticRun({ seed: 9 });
    const events: TimelineEvent[] = [
      ...timeline.events,
      {
        kind: 'platform',
        event: '<script>alert(1)</script>',
        detail: 'dsn postgres://app:s3cret@db/x',
        t: 20_000,
        wall: 0,
      },
    ];
    const page = renderHtml([result], { [result.scenario]: { events } });
    expect(page).not.to.include('<script>alert(1)</script>');
    expect(page).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.to.include('s3cret');
  });

  it('says so when a scenario has no timeline', () => {
    const page = renderHtml([runs[0]!.result], {});
    expect(page).to.include('No timeline was recorded');
    expect(page).not.to.include('<svg');
  });
});

describe('renderTimelineChart', () => {
  it('bins every write exactly once, by outcome', () => {
    const { timeline } = syntheticRun({ seed: 4 });
    const svg = renderTimelineChart(timeline.events);
    const totals = { acked: 0, failed: 0, unknown: 0 };
    for (const m of svg.matchAll(/(\d+) acked, (\d+) failed, (\d+) unknown/g)) {
      totals.acked += Number(m[1]);
      totals.failed += Number(m[2]);
      totals.unknown += Number(m[3]);
    }
    const writes = timeline.events.filter((e) => e.kind === 'write');
    expect(totals).to.deep.equal({
      acked: writes.filter((w) => w.outcome === 'acked').length,
      failed: writes.filter((w) => w.outcome === 'failed').length,
      unknown: writes.filter((w) => w.outcome === 'unknown').length,
    });
  });

  it('marks the recovery point and platform events', () => {
    const { timeline, result } = syntheticRun({ seed: 5, outageMs: 12_000 });
    const rto = Number(result.metrics.rto_ms);
    const svg = renderTimelineChart(timeline.events, { rtoMs: rto });
    expect(svg).to.include(`RTO ${formatDuration(rto)}`);
    expect(svg).to.include('✓ recovered');
    for (const e of timeline.events)
      if (e.kind === 'platform') expect(svg).to.include(e.event.replace('>', '&gt;'));
  });

  it('shows an unhealed fault as open to the end', () => {
    const { timeline } = syntheticRun({ seed: 6 });
    const events = timeline.events.filter(
      (e) => !(e.kind === 'fault' && (e.phase === 'healed' || e.phase === 'heal-verified')),
    );
    expect(renderTimelineChart(events)).to.include('not healed');
  });

  it('renders an empty timeline without failing', () => {
    expect(renderTimelineChart([])).to.include('no timeline events');
  });
});

describe('renderTimelineChart platform markers', () => {
  /** 100 s of acknowledged writes, a fault from 10 s to 60 s, and the given platform events. */
  const chartWith = (platform: readonly [number, string][]): string =>
    renderTimelineChart([
      ...Array.from({ length: 1000 }, (_, i): TimelineEvent => {
        return { kind: 'write', id: i, outcome: 'acked', latencyMs: 5, t: i * 100, wall: 0 };
      }),
      { kind: 'fault', phase: 'injected', fault: 'partition', node: 'n2', t: 10_000, wall: 0 },
      { kind: 'fault', phase: 'healed', fault: 'partition', node: 'n2', t: 60_000, wall: 0 },
      ...platform.map(([t, event]): TimelineEvent => ({ kind: 'platform', event, node: 'n2', t, wall: 0 })),
    ]);
  /** Each platform marker's hover text and label (empty when it has none). */
  const platformMarkers = (svg: string) =>
    [
      ...svg.matchAll(
        /<g class="marker platform"><title>([^<]*)<\/title><line[^>]*\/>(?:<text class="marker-label"[^>]*>([^<]*)<\/text>)?<\/g>/g,
      ),
    ].map((m) => ({ title: m[1] ?? '', label: m[2] ?? '' }));

  it('groups events a few pixels apart into one marker whose hover text lists each', () => {
    const markers = platformMarkers(
      chartWith([
        [30_000, 'k8s:NodeNotReady'],
        [30_050, 'node-not-ready'],
        [30_100, 'pod-not-ready'],
        [50_000, 'pod-ready'],
      ]),
    );
    expect(markers.map((m) => m.label)).to.deep.equal(['node-not-ready n2 +2', 'pod-ready n2']);
    expect(markers[0]?.title.split('\n')).to.deep.equal([
      '3 platform events:',
      '20s: k8s:NodeNotReady n2',
      '20.1s: node-not-ready n2',
      '20.1s: pod-not-ready n2',
    ]);
    expect(markers[1]?.title).to.equal('40s: pod-ready n2');
  });

  it('keeps events further apart on their own markers', () => {
    const markers = platformMarkers(
      chartWith([
        [30_000, 'node-not-ready'],
        [32_000, 'pod-not-ready'],
      ]),
    );
    expect(markers.map((m) => m.label)).to.deep.equal(['node-not-ready n2', 'pod-not-ready n2']);
  });

  it('labels a repeating k8s:* event once, each repeat keeping its marker and hover text', () => {
    const markers = platformMarkers(
      chartWith([20_000, 24_000, 28_000, 32_000].map((t): [number, string] => [t, 'k8s:Unhealthy'])),
    );
    expect(markers.map((m) => m.label)).to.deep.equal(['k8s:Unhealthy n2', '', '', '']);
    expect(markers.map((m) => m.title)).to.deep.equal(
      ['10s', '14s', '18s', '22s'].map((at) => `${at}: k8s:Unhealthy n2`),
    );
  });
});

describe('renderHtml of repeated scenarios (--repeat N)', () => {
  const reps = [1, 2, 3].map((k) =>
    syntheticRun({ seed: k, outageMs: 14_000 + k * 2000, repetition: k, lostAcked: k === 3 ? 1 : 0 }),
  );
  const page = renderHtml(
    reps.map((r) => r.result),
    new Map(reps.map((r) => [r.result.timelineFile?.replace('.timeline.json', '') ?? '', r.timeline])),
  );

  it('marks a check failed in some repetitions and passed in others as flaky, never as a pass', () => {
    expect(page).to.include('<div class="overall fail">0 of 1 scenario passed</div>');
    expect(page).to.match(
      /<tr><td><span class="badge flaky">FLAKY<\/span><\/td><td><a href="#s0-network-partition/,
    );
    expect(page).to.match(
      /<tr class="flaky"><td class="mark">⚠<\/td><td>no acknowledged write lost \(RPO = 0\) <span class="badge flaky">FLAKY<\/span><\/td><td class="num">failed in 3 of 3<\/td><td>flaky: /,
    );
  });

  it('shows each repetition with its own timeline chart, and each figure’s median over them', () => {
    expect(page.match(/<svg\b/g)).to.have.length(reps.length);
    for (const k of [1, 2, 3]) expect(page).to.include(`<summary>repetition ${k}: `);
    const rtos = reps.map((r) => Number(r.result.metrics.rto_ms)).sort((a, b) => a - b);
    expect(page).to.include(
      `<tr><td><code>rto_ms</code></td><td class="num">${formatDuration(rtos[1] ?? NaN)}</td><td class="num">${formatDuration(rtos[0] ?? NaN)}</td>`,
    );
  });
});
