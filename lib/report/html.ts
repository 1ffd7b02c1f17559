import { fingerprintNames } from '../observe/run-fingerprint.js';
import type { ScenarioResult, TimelineEvent } from '../observe/timeline-events.js';
import { formatDuration } from '../time/duration.js';
import { suiteName } from './suite-name.js';
import { formatMetric } from './metric-format.js';
import { a, h } from './html-escape.js';
import { groupState } from './check-across-repetitions.js';
import { repeatedSection, stateBadge } from './html-repeated.js';
import { groupBySuite, repetitionOf, resultBaseName, type SuiteGroup } from './repetitions.js';
import { summarize } from './stats/quantiles.js';
import { CHART_COLORS, renderTimelineChart } from './timeline-chart.js';
import { phaseTable } from './html-phases.js';
import { parseTimeline, type TimelineData } from './timeline-data.js';

/** Timelines by scenario name, in any shape parseTimeline accepts (an event array or `{ events, ... }`). */
export type TimelineInput = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;

export interface HtmlOptions {
  readonly generatedAt?: Date;
  readonly title?: string;
}

const MAX_EVENT_ROWS = 400;

/** Figures shown as cards above each chart, in this order, when the scenario measured them. */
const KEY_FIGURES: readonly { key: string; label: string; bad?: (v: number) => boolean }[] = [
  { key: 'rto_ms', label: 'recovery time (RTO)', bad: (v) => !Number.isFinite(v) },
  { key: 'unavailable_ms', label: 'unavailable in total' },
  { key: 'longest_unavailable_ms', label: 'longest outage' },
  { key: 'lost_acked', label: 'acked writes lost', bad: (v) => v > 0 },
  { key: 'changed_acked', label: 'acked writes changed', bad: (v) => v > 0 },
  { key: 'acked', label: 'writes acked' },
  { key: 'failed', label: 'writes failed' },
  { key: 'unknown', label: 'writes unknown' },
  { key: 'pgbench_tx_lost', label: 'pgbench transactions lost', bad: (v) => v > 0 },
  { key: 'pgbench_tx_acked', label: 'pgbench transactions acked' },
];

function timelineFor(timelines: TimelineInput, scenario: string): TimelineData | undefined {
  const raw: unknown =
    timelines instanceof Map
      ? (timelines as ReadonlyMap<string, unknown>).get(scenario)
      : (timelines as Record<string, unknown>)[scenario];
  return raw === undefined ? undefined : parseTimeline(raw);
}

/** ', replica' for a fault placed off the primary (the primary placement shows as before). */
const placedNote = (r: ScenarioResult): string =>
  r.placement === undefined || r.placement === 'primary' ? '' : `, ${r.placement}`;

function passed(r: ScenarioResult): boolean {
  return r.verdicts.length > 0 && r.verdicts.every((v) => v.passed);
}

function slug(r: ScenarioResult, i: number): string {
  const rep = r.repetition === undefined ? '' : `-rep${r.repetition}`;
  return `s${i}-${`${r.scenario}-${r.target}-${r.sut}-${r.placement ?? 'primary'}`.toLowerCase().replace(/[^a-z0-9]+/g, '-')}${rep}`;
}

function badge(ok: boolean): string {
  return stateBadge(ok ? 'pass' : 'fail');
}

function wallTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function readableStart(startedAt: string): string {
  const ms = Date.parse(startedAt);
  return Number.isNaN(ms)
    ? startedAt
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

/** The summary's figure for a scenario: its value, or over repetitions the median (n and range on hover). */
function summaryCell(g: SuiteGroup, key: string): string {
  const values = g.results.map((r) => r.metrics[key]).filter((v) => v !== undefined);
  const numbers = values.filter((v): v is number => typeof v === 'number');
  const [only] = values;
  if (only === undefined) return '<td class="num dim">–</td>';
  if (g.results.length === 1 || numbers.length !== values.length)
    return `<td class="num">${h(formatMetric(key, only))}</td>`;
  const s = summarize(numbers);
  const range = `median of ${s.n}; ${formatMetric(key, s.min)}–${formatMetric(key, s.max)}`;
  return `<td class="num" title="${a(range)}">${h(formatMetric(key, s.median))}</td>`;
}

function summaryTable(groups: readonly SuiteGroup[]): string {
  const rows = groups.map((g, i) => {
    const r = g.results[0] as ScenarioResult;
    const verdicts = g.results.length === 1 ? r.verdicts : [];
    const checks =
      g.results.length === 1
        ? `${verdicts.filter((v) => v.passed).length}/${verdicts.length}`
        : `${g.results.length} repetitions`;
    const took = g.results.reduce((n, x) => n + x.durationMs, 0);
    return (
      `<tr><td>${stateBadge(groupState(g))}</td><td><a href="#${groupSlug(g, i)}">${h(r.scenario)}</a></td><td>${h(`${r.target} / ${r.sut}${placedNote(r)}`)}</td>` +
      summaryCell(g, 'rto_ms') +
      summaryCell(g, 'unavailable_ms') +
      summaryCell(g, 'failed') +
      summaryCell(g, 'lost_acked') +
      summaryCell(g, 'unknown') +
      `<td class="num">${checks}</td><td class="num">${h(formatDuration(took))}</td></tr>`
    );
  });
  return (
    '<table class="summary"><thead><tr><th></th><th>scenario</th><th>target / SUT</th><th class="num">RTO</th>' +
    '<th class="num">unavailable</th><th class="num">failed writes</th><th class="num">acked lost</th>' +
    '<th class="num">unknown writes</th>' +
    `<th class="num">checks passed</th><th class="num">duration</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function figures(r: ScenarioResult): string {
  const cards = KEY_FIGURES.filter((f) => r.metrics[f.key] !== undefined).map((f) => {
    const v = r.metrics[f.key] ?? '';
    const bad = typeof v === 'number' && f.bad?.(v);
    return `<div class="figure${bad ? ' bad' : ''}"><div class="value">${h(formatMetric(f.key, v))}</div><div class="label">${h(f.label)}</div></div>`;
  });
  return cards.length ? `<div class="figures">${cards.join('')}</div>` : '';
}

function legend(): string {
  const item = (color: string, label: string, shape: 'box' | 'line' | 'dash' | 'shade' = 'box') =>
    `<span class="item"><span class="swatch ${shape}" style="--c:${color}"></span>${h(label)}</span>`;
  return (
    '<div class="legend">' +
    item(CHART_COLORS.acked, 'write acked') +
    item(CHART_COLORS.unknown, 'write unknown (timed out, may have committed)') +
    item(CHART_COLORS.failed, 'write failed') +
    item(CHART_COLORS.fault, 'fault window', 'shade') +
    item(CHART_COLORS.platform, 'platform event', 'dash') +
    item(CHART_COLORS.recovery, 'recovery point', 'line') +
    '</div>'
  );
}

function verdictTable(r: ScenarioResult): string {
  if (r.verdicts.length === 0) {
    return '<p class="no-verdicts">No verdicts were recorded: the scenario stopped before its assertions.</p>';
  }
  const rows = r.verdicts.map(
    (v) =>
      `<tr class="${v.passed ? 'pass' : 'fail'}"><td class="mark">${v.passed ? '✔' : '✘'}</td><td>${h(v.name)}</td><td>${h(v.message ?? '')}</td></tr>`,
  );
  return `<table class="verdicts"><thead><tr><th></th><th>check</th><th>expected / measured</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Every measured metric. The table has a fixed layout, so a long value (an error message, a digest)
 * is cut with an ellipsis instead of widening the page; its hover text holds it in full. Names break
 * after their underscores.
 */
function metricsTable(r: ScenarioResult): string {
  const rows = Object.entries(r.metrics).map(
    ([k, v]) =>
      `<tr><td><code>${h(k).replaceAll('_', '_<wbr>')}</code></td><td class="num" title="${a(String(v))}">${h(formatMetric(k, v))}</td></tr>`,
  );
  return `<table class="metrics"><thead><tr><th>metric</th><th class="num">value</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function describe(e: TimelineEvent): [string, string, string] {
  switch (e.kind) {
    case 'fault':
      return ['fault', `${e.fault} ${e.phase}`, [e.node, e.detail].filter(Boolean).join(' — ')];
    case 'platform':
      return [
        'platform',
        e.event,
        [e.node, e.detail, e.at && `platform time ${e.at}`].filter(Boolean).join(' — '),
      ];
    case 'step':
      return ['step', e.name, ''];
    default:
      return [e.kind, '', ''];
  }
}

function eventsTable(events: readonly TimelineEvent[], origin: number): string {
  const notable = events.filter((e) => e.kind === 'fault' || e.kind === 'platform' || e.kind === 'step');
  if (notable.length === 0) return '';
  const shown = notable.slice(0, MAX_EVENT_ROWS);
  const rows = shown.map((e) => {
    const [kind, what, detail] = describe(e);
    const rel = e.t - origin;
    return `<tr class="ev-${kind}"><td class="num">${h(`${rel < 0 ? '−' : '+'}${formatDuration(Math.abs(rel))}`)}</td><td class="num dim">${typeof e.wall === 'number' ? h(wallTime(e.wall)) : ''}</td><td>${h(kind)}</td><td>${h(what)}</td><td>${h(detail)}</td></tr>`;
  });
  const more =
    notable.length > shown.length
      ? `<p class="dim">${notable.length - shown.length} more not shown.</p>`
      : '';
  return (
    `<details><summary>Events (${notable.length}): faults, platform, steps</summary>` +
    `<table class="events"><thead><tr><th class="num">since fault</th><th class="num">UTC</th><th>kind</th><th>event</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}</details>`
  );
}

function scenarioSection(r: ScenarioResult, i: number, timeline: TimelineData | undefined): string {
  const ok = passed(r);
  const failedCount = r.verdicts.filter((v) => !v.passed).length;
  const rto = typeof r.metrics.rto_ms === 'number' ? r.metrics.rto_ms : undefined;
  const events = timeline?.events ?? [];
  const injected = events.find((e) => e.kind === 'fault' && e.phase === 'injected');
  const chart =
    events.length > 0
      ? renderTimelineChart(events, {
          ...(rto !== undefined ? { rtoMs: rto } : {}),
          ...(r.phases && { phases: r.phases }),
          title: `Timeline of ${suiteName(r)}`,
        })
      : '<p class="no-timeline">No timeline was recorded for this scenario.</p>';
  const status =
    r.verdicts.length === 0
      ? 'no verdicts'
      : failedCount === 0
        ? `all ${r.verdicts.length} checks passed`
        : `${failedCount} of ${r.verdicts.length} checks failed`;
  return `<section class="scenario ${ok ? 'pass' : 'fail'}" id="${a(slug(r, i))}">
<h2>${badge(ok)} ${h(r.scenario)} <small>${h(`${r.target} / ${r.sut}${placedNote(r)}${r.repetition === undefined ? '' : `, repetition ${repetitionOf(r)}`}`)}</small></h2>
<p class="meta">started ${h(readableStart(r.startedAt))} · took ${h(formatDuration(r.durationMs))} · ${h(status)}</p>
${ranOn(r)}
${figures(r)}
<div class="chart">${chart}${events.length > 0 ? legend() : ''}</div>
${phaseTable(r.phases)}
<div class="columns"><div class="col-wide"><h3>Checks</h3>${verdictTable(r)}</div><div class="col-narrow"><h3>Measured</h3>${metricsTable(r)}</div></div>
${eventsTable(events, injected?.t ?? 0)}
</section>`;
}

/** The run's fingerprint in one line (lib/observe/run-fingerprint.ts); nothing for older results. */
function ranOn(r: ScenarioResult): string {
  if (!r.fingerprint) return '';
  const parts = fingerprintNames(r.fingerprint)
    .filter((n) => n !== 'target' && n !== 'sut')
    .map((n) => `${n} ${r.fingerprint?.[n] ?? ''}`);
  return `<p class="meta ran-on">ran on: ${h(parts.join(' · '))}</p>`;
}

const CSS = `
:root{--pass:#2f9e61;--fail:#dc3d43;--flaky:#d9822b;--ink:#1f2933;--muted:#66717d;--line:#e3e7ec;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header.page{display:flex;justify-content:space-between;align-items:center;gap:24px;padding:22px 36px;background:#fff;border-bottom:1px solid var(--line)}
header.page h1{margin:0;font-size:24px}
header.page .sub{margin:4px 0 0;color:var(--muted)}
.overall{font-size:18px;font-weight:700;padding:10px 18px;border-radius:10px;color:#fff;white-space:nowrap}
.overall.pass{background:var(--pass)}.overall.fail{background:var(--fail)}
main{max-width:1320px;margin:0 auto;padding:24px 36px 48px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.dim{color:var(--muted)}
a{color:#1c63b8;text-decoration:none}a:hover{text-decoration:underline}
.summary{border:1px solid var(--line);border-radius:10px;overflow:hidden}
.badge{display:inline-block;min-width:48px;text-align:center;padding:2px 8px;border-radius:6px;font-size:12px;font-weight:700;letter-spacing:.05em;color:#fff;vertical-align:middle}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.flaky{background:var(--flaky)}
section.scenario{background:#fff;border:1px solid var(--line);border-left:6px solid var(--pass);border-radius:10px;padding:18px 24px 20px;margin-top:28px}
section.scenario.fail{border-left-color:var(--fail)}section.scenario.flaky{border-left-color:var(--flaky)}
details.repetition section.scenario{margin-top:8px}
.verdicts tr.flaky td.mark{color:var(--flaky)}.verdicts tr.flaky{background:#fdf5ec}
section.scenario h2{margin:0;font-size:21px}
section.scenario h2 small{font-size:14px;font-weight:500;color:var(--muted);margin-left:6px}
section.scenario h3{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:18px 0 6px}
.meta{margin:4px 0 14px;color:var(--muted)}
.figures{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:12px}
.figure{flex:1 1 140px;border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:#fbfcfd}
.figure .value{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.figure .label{font-size:12px;color:var(--muted)}
.figure.bad{border-color:var(--fail);background:#fdf1f1}.figure.bad .value{color:var(--fail)}
.chart{border:1px solid var(--line);border-radius:8px;padding:10px 8px 6px}
.chart svg{display:block}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;padding:6px 12px 2px;font-size:13px;color:var(--muted)}
.legend .item{display:inline-flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:14px;height:12px;border-radius:2px;background:var(--c)}
.swatch.shade{background:color-mix(in srgb,var(--c) 14%,#fff);border:1px solid color-mix(in srgb,var(--c) 40%,#fff)}
.swatch.line{width:3px;height:14px;border-radius:0}
.swatch.dash{width:2px;height:14px;border-radius:0;background:repeating-linear-gradient(var(--c) 0 3px,transparent 3px 6px)}
.columns{display:flex;flex-wrap:wrap;gap:24px}
.col-wide{flex:3 1 520px}.col-narrow{flex:2 1 300px}
.verdicts tr.pass td.mark{color:var(--pass)}.verdicts tr.fail td.mark{color:var(--fail)}
.verdicts td.mark{font-weight:700;width:24px}
.verdicts tr.fail{background:#fdf1f1}.verdicts tr.fail td{color:#8f1d22}
.metrics{table-layout:fixed}.metrics th:first-child{width:60%}
.metrics code{font-size:13px;overflow-wrap:anywhere}
.metrics td.num{overflow:hidden;text-overflow:ellipsis}
details{margin-top:16px}
summary{cursor:pointer;color:var(--muted);font-weight:600}
.events td{font-size:13px}
.phases td{font-size:13px}.phases tr.unknown{background:#f3f4f6}.phases tr.total td{border-top:2px solid var(--line)}
.ev-fault td:nth-child(4){color:var(--fail);font-weight:600}.ev-platform td:nth-child(4){color:#7048e8;font-weight:600}
.no-timeline,.no-verdicts{color:var(--muted);font-style:italic;padding:12px}
footer{color:var(--muted);font-size:13px;text-align:center;padding:0 0 32px}
@media print{body{background:#fff}section.scenario{break-inside:avoid}}
`;

/**
 * The human report: one self-contained HTML file (inline CSS and SVG, no scripts, no external
 * fonts) with a summary table and, per scenario, key figures, the timeline chart, the checks
 * and every measured metric.
 */
function groupSlug(g: SuiteGroup, i: number): string {
  const [first] = g.results;
  return first === undefined ? `s${i}` : slug({ ...first, repetition: undefined }, i);
}

export function renderHtml(
  results: readonly ScenarioResult[],
  timelines: TimelineInput,
  options: HtmlOptions = {},
): string {
  const groups = groupBySuite(results);
  const passedCount = groups.filter((g) => groupState(g) === 'pass').length;
  const allOk = groups.length > 0 && passedCount === groups.length;
  const generated = (options.generatedAt ?? new Date())
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const targets = [...new Set(results.map((r) => `${r.target} / ${r.sut}`))].join(', ') || 'no scenarios';
  const title = options.title ?? 'pxchaos resilience report';
  const section = (r: ScenarioResult, i: number) =>
    scenarioSection(r, i, timelineFor(timelines, resultBaseName(r)));
  const sections = groups.map((g, i) =>
    g.results.length === 1 && g.results[0]
      ? section(g.results[0], i)
      : repeatedSection(g, groupSlug(g, i), (r) => section(r, i)),
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)} — ${passedCount}/${groups.length} passed</title>
<style>${CSS}</style>
</head>
<body>
<header class="page"><div><h1>${h(title)}</h1><p class="sub">${h(targets)} · generated ${h(generated)}</p></div>
<div class="overall ${allOk ? 'pass' : 'fail'}">${passedCount} of ${groups.length} scenario${groups.length === 1 ? '' : 's'} passed</div></header>
<main>
${groups.length ? summaryTable(groups) : '<p class="dim">No scenario results were found.</p>'}
${sections.join('\n')}
</main>
<footer>pxchaos · times on the charts are relative to the moment the fault was injected · hover a bar or marker for details</footer>
</body>
</html>
`;
}
