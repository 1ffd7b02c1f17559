import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MARGINS, type Margins } from '../config/compare-margins.js';
import { UsageError } from '../errors.js';
import type { ScenarioResult } from '../observe/timeline-events.js';
import { formatDuration } from '../time/duration.js';
import { formatMetric } from './metric-format.js';
import { suiteName } from './suite-name.js';
import { checkJunitText, parseJunit } from './read-junit.js';
import { RESULT_SUFFIX, readResults, readTimelineJson, type StoredResult } from './read-results.js';

/**
 * `pxchaos report compare`: the pre-upgrade diff of two runs. A metric regresses only when it
 * got worse by more than BOTH the relative and the absolute margin, so tiny figures (80 ms →
 * 120 ms is +50%) and noise on large ones (60.0 s → 61.5 s) do not flap. Lost acknowledged
 * writes have no absolute margin: one more is always a regression.
 */
export { DEFAULT_MARGINS, type Margins };

/** How a metric is judged: higher-is-worse with a duration/count margin, strict, or informational only. */
export type MetricKind = 'duration' | 'count' | 'strict' | 'info';

/** Figures that describe the run rather than its quality (bigger is not worse). */
const INFO_METRICS = new Set([
  'acked',
  'writes',
  'probes',
  'ledger_rows',
  'rows_before',
  'rows_after',
  'pgbench_scale',
  'hold_ms',
  'duration_ms',
  'observed_ms',
  'fault_healed_ms',
  'fault_verified_ms',
  'unknown_committed',
  'unknown_not_committed',
  'pgbench_tx_acked',
  'pgbench_tx_committed_unacked',
  'pgbench_segments',
  'pgbench_killed',
  'pgbench_overran',
  'pgbench_log_malformed',
]);
/** Data-integrity figures: any increase is a regression. */
const STRICT_METRICS = new Set([
  'contents_changed_ranges',
  'lost_acked',
  'changed_acked',
  'failed_committed',
  'duplicates',
  'unexpected_rows',
  'pgbench_tx_lost',
]);
/** Counts that grow with the outage: judged with the count margin. */
const COUNT_METRICS = new Set([
  'failed',
  'unknown',
  'probe_failed',
  'unavailable_windows',
  'pgbench_restarts',
  'pgbench_tx_failed',
]);

/**
 * Findings of the current run that are regressions whatever the baseline says (a baseline with the
 * same loss does not excuse it): any lost pgbench transaction, any broken pgbench invariant.
 */
function absoluteRegression(metric: string, current: number | string | undefined): string | undefined {
  if (metric === 'pgbench_tx_lost' && typeof current === 'number' && current > 0)
    return `${current} acknowledged pgbench transactions missing (pgbench_tx_lost; any is a regression)`;
  if (metric === 'pgbench_invariant' && typeof current === 'string' && current !== 'ok')
    return `pgbench invariant broken: ${current}`;
  return undefined;
}

/** Metric names from lib/observe/metrics.ts; unknown `*_ms` names count as durations (higher is worse). */
export function metricKind(name: string): MetricKind {
  // platform_*: when the platform noticed (detection times): informative; their effect is in the RTO.
  if (INFO_METRICS.has(name) || /(_t|_ids)$/.test(name) || name.startsWith('platform_')) return 'info';
  if (STRICT_METRICS.has(name) || name.startsWith('leftover')) return 'strict';
  if (COUNT_METRICS.has(name)) return 'count';
  if (name.endsWith('_ms')) return 'duration';
  return 'info';
}

export interface MetricDelta {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly baseline?: number | string;
  readonly current?: number | string;
  readonly regression: boolean;
}

export interface VerdictChange {
  readonly verdict: string;
  /** undefined: the check did not exist on that side. */
  readonly before?: boolean;
  readonly after?: boolean;
  readonly regression: boolean;
}

export interface ScenarioComparison {
  readonly name: string;
  readonly baseline?: ScenarioResult;
  readonly current?: ScenarioResult;
  readonly metrics: readonly MetricDelta[];
  readonly verdictChanges: readonly VerdictChange[];
  /** One line per regression, naming the scenario. */
  readonly regressions: readonly string[];
}

export interface Comparison {
  readonly margins: Margins;
  readonly scenarios: readonly ScenarioComparison[];
  readonly regressions: readonly string[];
}

function passed(r: ScenarioResult | undefined): boolean | undefined {
  return r === undefined ? undefined : r.verdicts.length > 0 && r.verdicts.every((v) => v.passed);
}

function show(metric: string, v: number | string | undefined): string {
  return v === undefined ? '–' : formatMetric(metric, v);
}

function isRegression(kind: MetricKind, before: number, after: number, m: Margins): boolean {
  const delta = after - before;
  if (kind === 'info' || !(delta > 0)) return false;
  const absolute = kind === 'duration' ? m.ms : kind === 'count' ? m.count : 0;
  const relative = before === 0 ? Infinity : (delta / Math.abs(before)) * 100;
  return delta > absolute && relative > m.percent;
}

function compareScenario(
  name: string,
  b: ScenarioResult | undefined,
  c: ScenarioResult | undefined,
  m: Margins,
): ScenarioComparison {
  const regressions: string[] = [];
  if (b && !c) regressions.push(`${name}: missing from the current run (it ran in the baseline)`);
  const metrics: MetricDelta[] = [];
  const keys = [...new Set([...Object.keys(b?.metrics ?? {}), ...Object.keys(c?.metrics ?? {})])];
  for (const metric of keys) {
    const before = b?.metrics[metric];
    const after = c?.metrics[metric];
    const kind = metricKind(metric);
    const absolute = absoluteRegression(metric, after);
    const regression =
      absolute !== undefined ||
      (typeof before === 'number' && typeof after === 'number' && isRegression(kind, before, after, m));
    if (absolute !== undefined) regressions.push(`${name}: ${absolute}`);
    else if (regression && typeof before === 'number' && typeof after === 'number') {
      const pct =
        before === 0 || !Number.isFinite(after)
          ? `from ${show(metric, before)}`
          : `${Math.round(((after - before) / Math.abs(before)) * 100)}%`;
      const margin =
        kind === 'strict'
          ? 'no margin'
          : `margins ${m.percent}% and ${kind === 'duration' ? formatDuration(m.ms) : m.count}`;
      regressions.push(
        `${name}: ${metric} ${show(metric, before)} → ${show(metric, after)} (+${pct}; ${margin})`,
      );
    }
    metrics.push({
      metric,
      kind,
      ...(before !== undefined ? { baseline: before } : {}),
      ...(after !== undefined ? { current: after } : {}),
      regression,
    });
  }
  const verdictChanges: VerdictChange[] = [];
  const names = [
    ...new Set([...(b?.verdicts ?? []).map((v) => v.name), ...(c?.verdicts ?? []).map((v) => v.name)]),
  ];
  for (const verdict of names) {
    const before = b?.verdicts.find((v) => v.name === verdict)?.passed;
    const after = c?.verdicts.find((v) => v.name === verdict)?.passed;
    if (before === after || !c) continue;
    // A check that fails now and did not fail before (flipped, or new) is a regression.
    const regression = after === false && before !== false;
    if (regression)
      regressions.push(
        `${name}: check "${verdict}" ${before === undefined ? 'is new and fails' : 'passed before, fails now'}`,
      );
    verdictChanges.push({
      verdict,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
      regression,
    });
  }
  if (c && c.verdicts.length === 0 && (b?.verdicts.length ?? 0) > 0) {
    regressions.push(`${name}: recorded no verdicts (it stopped before its checks)`);
  }
  return {
    name,
    ...(b ? { baseline: b } : {}),
    ...(c ? { current: c } : {}),
    metrics,
    verdictChanges,
    regressions,
  };
}

/**
 * Pairs scenarios by name, placement and target/SUT (falling back to name and placement: a replica's
 * fault is never compared with the primary's) and diffs them.
 */
export function compareRuns(
  baseline: readonly ScenarioResult[],
  current: readonly ScenarioResult[],
  margins: Margins = DEFAULT_MARGINS,
): Comparison {
  const pairs: [string, ScenarioResult | undefined, ScenarioResult | undefined][] = [];
  const unmatched = [...current];
  const take = (pred: (r: ScenarioResult) => boolean) => {
    const i = unmatched.findIndex(pred);
    return i === -1 ? undefined : unmatched.splice(i, 1)[0];
  };
  const leftovers: ScenarioResult[] = [];
  for (const b of baseline) {
    const c = take((r) => suiteName(r) === suiteName(b));
    if (c) pairs.push([suiteName(b), b, c]);
    else leftovers.push(b);
  }
  for (const b of leftovers) {
    const c = take(
      (r) => r.scenario === b.scenario && (r.placement ?? 'primary') === (b.placement ?? 'primary'),
    );
    pairs.push([c ? `${suiteName(b)} vs ${suiteName(c)}` : suiteName(b), b, c]);
  }
  for (const c of unmatched) pairs.push([suiteName(c), undefined, c]);
  // Two runs with nothing in common are not a comparison: every line would read "absent → FAIL".
  if (!pairs.some(([, b, c]) => b && c))
    throw new UsageError(
      `no scenario in common: baseline has ${listNames(baseline)}; current has ${listNames(current)}`,
    );
  const scenarios = pairs.map(([name, b, c]) => compareScenario(name, b, c, margins));
  return { margins, scenarios, regressions: scenarios.flatMap((s) => s.regressions) };
}

function listNames(results: readonly ScenarioResult[]): string {
  return [...new Set(results.map(suiteName))].join(', ') || 'none';
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function change(d: MetricDelta): string {
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

const status = (p: boolean | undefined) => (p === undefined ? 'absent' : p ? 'PASS' : 'FAIL');

/** Plain-text report, readable in a CI log. */
export function formatComparison(c: Comparison, labels: { baseline: string; current: string }): string {
  const lines: string[] = [
    `baseline: ${labels.baseline}`,
    `current:  ${labels.current}`,
    `a metric regresses when it is worse by more than ${c.margins.percent}% AND by more than ${formatDuration(c.margins.ms)} (durations) or ${c.margins.count} (failed/unknown writes); any more lost acknowledged writes is a regression, and so is any lost pgbench transaction or broken pgbench invariant`,
    '',
  ];
  for (const s of c.scenarios) {
    const before = passed(s.baseline);
    const after = passed(s.current);
    lines.push(
      `${s.name}: ${status(before)} → ${status(after)}${s.regressions.length ? `  (${s.regressions.length} regression${s.regressions.length > 1 ? 's' : ''})` : ''}`,
    );
    const shown = s.metrics.filter((d) => d.kind !== 'info' || d.baseline !== d.current);
    if (shown.length) {
      const w = Math.max(6, ...shown.map((d) => d.metric.length));
      lines.push(`  ${pad('metric', w)}  ${pad('baseline', 12, true)}  ${pad('current', 12, true)}  change`);
      for (const d of shown) {
        const mark = d.regression ? '  ← REGRESSION' : '';
        lines.push(
          `  ${pad(d.metric, w)}  ${pad(show(d.metric, d.baseline), 12, true)}  ${pad(show(d.metric, d.current), 12, true)}  ${change(d)}${mark}`,
        );
      }
    }
    for (const v of s.verdictChanges) {
      const mark = v.regression ? '  ← REGRESSION' : '';
      lines.push(
        `  check "${v.verdict}": ${v.before === undefined ? 'absent' : v.before ? 'pass' : 'fail'} → ${v.after === undefined ? 'absent' : v.after ? 'pass' : 'FAIL'}${mark}`,
      );
    }
    lines.push('');
  }
  if (c.regressions.length === 0) {
    lines.push('no regressions');
  } else {
    lines.push(`${c.regressions.length} regression${c.regressions.length > 1 ? 's' : ''}:`);
    for (const r of c.regressions) lines.push(`  - ${r}`);
  }
  return lines.join('\n');
}

/**
 * A run from a report directory (its *.result.json files), a junit.xml (the result files next to
 * it if present, else the XML itself) or a single result file. Bad input is a UsageError (exit 2).
 */
export async function loadRun(location: string): Promise<ScenarioResult[]> {
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new UsageError(`not found: ${location} (expected a report directory or a junit.xml)`);
  }
  let results: ScenarioResult[];
  if (info.isDirectory()) {
    results = (await readCheckedResults(location, path.join(location, 'junit.xml'))).map((s) => s.result);
  } else if (location.endsWith(RESULT_SUFFIX)) {
    const dirResults = await readCheckedResults(path.dirname(location));
    results = dirResults.filter((s) => path.resolve(s.file) === path.resolve(location)).map((s) => s.result);
  } else if (location.endsWith('.xml')) {
    const xml = await readFile(location, 'utf8');
    checkJunitText(xml, location);
    const beside = await readCheckedResults(path.dirname(location));
    results = beside.length > 0 ? beside.map((s) => s.result) : parseJunit(xml);
  } else {
    throw new UsageError(`${location}: expected a report directory, a junit.xml or a *${RESULT_SUFFIX} file`);
  }
  if (results.length === 0) throw new UsageError(`${location}: no scenario results found`);
  return results;
}

/**
 * The result files of a directory, after checking the files a run wrote beside them: a corrupt
 * timeline JSON or junit.xml means the run is not what it claims to be, so it is refused (exit 2).
 */
async function readCheckedResults(dir: string, junit?: string): Promise<StoredResult[]> {
  const stored = await readResults(dir);
  for (const s of stored) {
    const timeline = await readTimelineJson(s.timelinePath);
    if (
      timeline !== undefined &&
      (typeof timeline !== 'object' || timeline === null || Array.isArray(timeline))
    )
      throw new UsageError(`${s.timelinePath}: not a scenario timeline (expected a JSON object)`);
  }
  if (junit !== undefined && (await exists(junit))) checkJunitText(await readFile(junit, 'utf8'), junit);
  return stored;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
