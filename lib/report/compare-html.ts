import { fingerprintNames } from '../observe/run-fingerprint.js';
import type { ScenarioResult } from '../observe/timeline-events.js';
import type { Comparison, MetricDelta, ScenarioComparison } from './compare.js';
import { change, changedLine, checkLine, side, status, verdictText } from './compare-text.js';
import { stripPlot, type StripSide } from './compare-strip.js';
import { a, h } from './html-escape.js';
import { repetitionOf } from './repetitions.js';

const CSS = `
:root{--pass:#2f9e61;--fail:#dc3d43;--warn:#d9822b;--ink:#1f2933;--muted:#66717d;--line:#e3e7ec;--bg:#f6f7f9;--base:#5b6b7c;--cur:#2463c9}
body{font:14px/1.45 system-ui,sans-serif;color:var(--ink);margin:24px;background:#fff}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:24px 0 8px}
code{font-size:13px}.muted{color:var(--muted)}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:middle;overflow-wrap:anywhere}
th{background:var(--bg);font-weight:600}
table.fingerprint{width:auto;table-layout:auto}table.fingerprint tr.changed td{background:#fff4e5;font-weight:600}
table.figures col.figure{width:210px}table.figures col.plot{width:440px}table.figures col.side{width:170px}table.figures col.change{width:110px}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.regressed td{background:#fdecec}
.verdict{font-weight:600}.verdict.regressed{color:var(--fail)}.verdict.improved{color:var(--pass)}.verdict.inconclusive{color:var(--warn)}
.why{color:var(--muted);font-size:12px}
ul.regressions li,ul.checks li.regression{color:var(--fail)}
svg.strip{display:block}svg.strip text{font-size:10px;fill:var(--muted)}
svg.strip .lane-box{fill:var(--bg)}svg.strip .lane.current .lane-box{fill:#eef3fb}
svg.strip .baseline .pt{fill:var(--base);fill-opacity:.7}svg.strip .current .pt{fill:var(--cur);fill-opacity:.7}
svg.strip .median{stroke:var(--ink);stroke-width:2}
.key span{display:inline-block;width:10px;height:10px;border-radius:50%;margin:0 4px 0 12px}
`;

/** Each repetition's value of a figure on one side, numbered as run (the points of its strip). */
function points(results: readonly ScenarioResult[], metric: string): StripSide['points'] {
  return results.flatMap((r) => {
    const value = r.metrics[metric];
    return typeof value === 'number' ? [{ repetition: repetitionOf(r), value }] : [];
  });
}

function figureRow(s: ScenarioComparison, d: MetricDelta): string {
  const j = d.judgement;
  const verdict = j?.verdict ?? '';
  const plot = stripPlot(d.metric, [
    {
      label: 'baseline',
      points: points(s.baseline, d.metric),
      ...(d.baselineSummary && { median: d.baselineSummary.median }),
    },
    {
      label: 'current',
      points: points(s.current, d.metric),
      ...(d.currentSummary && { median: d.currentSummary.median }),
    },
  ]);
  return `<tr class="figure verdict-${verdict}${d.regression ? ' regressed' : ''}" data-metric="${a(d.metric)}"><td><code>${h(d.metric)}</code></td><td>${plot}</td><td class="num">${h(side(d, 'baseline'))}</td><td class="num">${h(side(d, 'current'))}</td><td class="num">${h(change(d))}</td><td><div class="verdict ${verdict}">${h(verdictText(d))}</div><div class="why">${h(j?.why ?? '')}</div></td></tr>`;
}

function scenarioSection(s: ScenarioComparison): string {
  // The figures the gate judges: durations (phase_*_ms among them) and counts measured on both sides.
  const judged = s.metrics.filter((d) => d.judgement);
  const table = judged.length
    ? `<table class="figures"><colgroup><col class="figure"><col class="plot"><col class="side"><col class="side"><col class="change"><col></colgroup><thead><tr><th>figure</th><th>repetitions<span class="key"><span style="background:var(--base)"></span>baseline<span style="background:var(--cur)"></span>current</span>, | median</th><th>baseline</th><th>current</th><th>change</th><th>verdict</th></tr></thead><tbody>${judged.map((d) => figureRow(s, d)).join('')}</tbody></table>`
    : '<p class="muted">no figure measured on both sides</p>';
  const checks = s.verdictChanges.length
    ? `<h3>check changes</h3><ul class="checks">${s.verdictChanges.map((v) => `<li${v.regression ? ' class="regression"' : ''}>${h(checkLine(s, v).trim())}</li>`).join('')}</ul>`
    : '';
  const counts = `n ${s.baseline.length} → ${s.current.length}`;
  return `<section class="scenario"><h2>${h(s.name)}</h2><p>${h(`${status(s.baseline)} → ${status(s.current)} (${counts})`)}</p>${table}${checks}</section>`;
}

function fingerprintSection(c: Comparison): string {
  const { baseline, current } = c.fingerprints;
  if (!baseline && !current) return '';
  const rows = fingerprintNames(baseline, current).map((n) => {
    const [before, after] = [baseline?.[n] ?? '–', current?.[n] ?? '–'];
    return `<tr${before !== after ? ' class="changed"' : ''}><td>${h(n)}</td><td>${h(before)}</td><td>${h(after)}</td></tr>`;
  });
  return `<h2>ran on</h2><table class="fingerprint"><thead><tr><th></th><th>baseline</th><th>current</th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="changed-line">${h(changedLine(c))}</p>`;
}

/**
 * `report compare --html`: the comparison as one self-contained page (inline CSS and SVG, no
 * script, nothing fetched), drawn from the Comparison alone: regressions first, what each run ran
 * on, then per scenario each judged figure's repetitions side by side on a shared axis.
 */
export function formatComparisonHtml(c: Comparison, labels: { baseline: string; current: string }): string {
  const n = c.regressions.length;
  const regressions = n
    ? `<h2>${n} regression${n > 1 ? 's' : ''}</h2><ul class="regressions">${c.regressions.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`
    : '<h2>no regressions</h2>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pxchaos report compare</title><style>${CSS}</style></head>
<body><h1>pxchaos report compare</h1>
<p>baseline: <code>${h(labels.baseline)}</code><br>current: <code>${h(labels.current)}</code></p>
<section class="summary">${regressions}</section>
${fingerprintSection(c)}
${c.scenarios.map(scenarioSection).join('\n')}
</body></html>
`;
}
