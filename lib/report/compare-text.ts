import { fingerprintNames } from '../observe/run-fingerprint.js';
import { formatDuration } from '../time/duration.js';
import { groupState } from './check-across-repetitions.js';
import type { Comparison, MetricDelta, ScenarioComparison, VerdictChange } from './compare.js';
import { ALPHA, formatP } from './figure-gate.js';
import { formatMetric } from './metric-format.js';
import { repetitionsNeeded } from './stats/mann-whitney.js';

function show(metric: string, v: number | string | undefined): string {
  return v === undefined ? '–' : formatMetric(metric, v);
}

/** One side of a figure: `25.3s [22.7s–28.5s] n=5`, a single run's value with `n=1`. */
export function side(d: MetricDelta, which: 'baseline' | 'current'): string {
  const s = which === 'baseline' ? d.baselineSummary : d.currentSummary;
  const value = d[which];
  if (!s) return show(d.metric, value);
  const range = s.n > 1 ? ` [${show(d.metric, s.min)}–${show(d.metric, s.max)}]` : '';
  return `${show(d.metric, s.median)}${range} n=${s.n}`;
}

/** The shift of the medians: `+8.5s (+34%)`, `=`, or `changed` for a text figure. */
export function change(d: MetricDelta): string {
  if (typeof d.baseline !== 'number' || typeof d.current !== 'number') {
    return d.baseline === d.current ? '' : 'changed';
  }
  const delta = d.current - d.baseline;
  if (delta === 0 || d.current === d.baseline) return '=';
  if (!Number.isFinite(delta)) return Number.isNaN(delta) ? '' : delta > 0 ? '+∞' : '−∞';
  const shown = d.metric.endsWith('_ms')
    ? formatDuration(Math.abs(delta))
    : Math.abs(delta).toLocaleString('en-US');
  const pct =
    d.baseline === 0 ? '' : ` (${delta > 0 ? '+' : '−'}${Math.abs(Math.round((delta / d.baseline) * 100))}%)`;
  return `${delta > 0 ? '+' : '−'}${shown}${pct}`;
}

const signed = (metric: string, v: number): string =>
  `${v < 0 ? '−' : '+'}${metric.endsWith('_ms') ? formatDuration(Math.abs(v)) : formatMetric(metric, Math.abs(v))}`;

/** The gate's word for a figure, with its evidence: `regressed (p 0.008; Δ 95% CI +5.1s…+11.2s)`. */
export function verdictText(d: MetricDelta): string {
  const j = d.judgement;
  if (d.regression && !j) return 'REGRESSION';
  if (!j) return '';
  if (j.verdict === 'inconclusive') return `inconclusive (needs ${j.needed ?? '?'} vs ${j.needed ?? '?'})`;
  const ci = j.interval
    ? `; Δ ${Math.round(j.interval.level * 100)}% CI ${signed(d.metric, j.interval.low)}…${signed(d.metric, j.interval.high)}`
    : '';
  const word =
    j.verdict === 'regressed'
      ? 'REGRESSED'
      : j.verdict === 'same' && j.test && j.test.p <= ALPHA
        ? 'same, within the margins'
        : j.verdict;
  return `${word} (p ${j.test ? formatP(j.test.p) : '–'}${ci})`;
}

export function checkSide(passed: boolean | undefined, failed: readonly number[], n: number): string {
  if (passed === undefined) return 'absent';
  if (n <= 1) return passed ? 'pass' : 'FAIL';
  return passed ? `pass in all ${n}` : `failed in ${failed.length} of ${n} (${failed.join(', ')})`;
}

export function checkLine(s: ScenarioComparison, v: VerdictChange): string {
  const mark = v.regression ? '  ← REGRESSION' : '';
  const before = checkSide(v.before, v.failedBefore, s.baseline.length).replace('FAIL', 'fail');
  return `  check "${v.verdict}": ${before} → ${checkSide(v.after, v.failedAfter, s.current.length)}${mark}`;
}

/** A cell wider than this (pgbench's last error, a long cause) is cut: the result file has it whole. */
const CELL_MAX = 60;
const fit = (cell: string): string => (cell.length > CELL_MAX ? `${cell.slice(0, CELL_MAX - 1)}…` : cell);

function table(cells: readonly (readonly string[])[]): string[] {
  const rows = cells.map((r) => r.map(fit));
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    `  ${r.map((cell, i) => (i === 0 || i >= 3 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

export const status = (rs: ScenarioComparison['baseline']): string =>
  rs.length === 0 ? 'absent' : groupState({ name: '', results: rs }).toUpperCase();

/** Both runs' fingerprints side by side, then what changed between them (the upgrade being judged). */
function fingerprintLines(c: Comparison): string[] {
  const { baseline, current } = c.fingerprints;
  if (!baseline && !current) return [];
  const rows = fingerprintNames(baseline, current).map((n) => [n, baseline?.[n] ?? '–', current?.[n] ?? '–']);
  return ['ran on:', ...table([['', 'baseline', 'current'], ...rows]), changedLine(c), ''];
}

/** What changed between the runs' fingerprints: `changed: …` (unknown when a side has none). */
export function changedLine(c: Comparison): string {
  const { baseline, current, differences } = c.fingerprints;
  return !baseline || !current
    ? `changed: unknown (${!baseline ? 'the baseline' : 'the current run'} has no fingerprint: recorded before pxchaos kept one)`
    : differences.length
      ? `changed: ${differences.join('; ')}`
      : 'changed: nothing recorded';
}

/** Plain-text report, readable in a CI log. */
export function formatComparison(c: Comparison, labels: { baseline: string; current: string }): string {
  const m = c.margins;
  const needed = repetitionsNeeded(ALPHA);
  const lines: string[] = [
    `baseline: ${labels.baseline}`,
    `current:  ${labels.current}`,
    `a duration or count regresses when its repetitions differ significantly (two-sided Mann–Whitney U, α ${ALPHA}) AND its median is worse by more than ${m.percent}% AND by more than ${formatDuration(m.ms)} (durations) or ${m.count} (counts); fewer than ${needed} repetitions a side is inconclusive (pxchaos run --repeat ${needed} or more, about 10 to see a modest shift); any more lost acknowledged writes in any repetition is a regression, and so is any lost pgbench transaction or broken pgbench invariant`,
    '',
    ...fingerprintLines(c),
  ];
  const inconclusive = new Set<string>();
  for (const s of c.scenarios) {
    const counts = `n ${s.baseline.length} → ${s.current.length}`;
    const reg = s.regressions.length
      ? `; ${s.regressions.length} regression${s.regressions.length > 1 ? 's' : ''}`
      : '';
    lines.push(`${s.name}: ${status(s.baseline)} → ${status(s.current)}  (${counts}${reg})`);
    const shown = s.metrics.filter((d) => d.kind !== 'info' || d.baseline !== d.current);
    if (shown.length) {
      lines.push(
        ...table([
          ['metric', 'baseline', 'current', 'change', 'verdict'],
          ...shown.map((d) => [d.metric, side(d, 'baseline'), side(d, 'current'), change(d), verdictText(d)]),
        ]),
      );
    }
    for (const d of shown) if (d.judgement?.verdict === 'inconclusive') inconclusive.add(d.judgement.why);
    for (const v of s.verdictChanges) lines.push(checkLine(s, v));
    lines.push('');
  }
  for (const why of inconclusive) lines.push(`inconclusive: ${why}`);
  if (c.regressions.length === 0) {
    lines.push('no regressions');
  } else {
    lines.push(`${c.regressions.length} regression${c.regressions.length > 1 ? 's' : ''}:`);
    for (const r of c.regressions) lines.push(`  - ${r}`);
  }
  return lines.join('\n');
}
