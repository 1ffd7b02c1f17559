import { fingerprintDifferences, type RunFingerprint } from '../observe/run-fingerprint.js';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MARGINS, type Margins } from '../config/compare-margins.js';
import { UsageError } from '../errors.js';
import type { ScenarioResult } from '../observe/timeline-events.js';
import { formatMetric } from './metric-format.js';
import { suiteName } from './suite-name.js';
import { beyondMargins, judgeFigure, type FigureJudgement } from './figure-gate.js';
import { groupBySuite, namedRepetitions, repetitionOf, type SuiteGroup } from './repetitions.js';
import { summarize, type Summary } from './stats/quantiles.js';
import { checkJunitText, parseJunit } from './read-junit.js';
import { RESULT_SUFFIX, readResults, readTimelineJson, type StoredResult } from './read-results.js';

/**
 * `pxchaos report compare`: the pre-upgrade diff of two runs, single or repeated (`--repeat N`).
 * Durations and counts go through a statistical gate (figure-gate.ts): regressed only when the
 * repetitions differ significantly (Mann–Whitney) AND the median got worse by more than both
 * margins; too few repetitions is inconclusive, never a pass or a fail. Data-integrity figures stay
 * strict (judged on their worst repetition, no absolute margin), and so do check flips.
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
  // A phase's prediction is the settings' figure, not a measurement; the measured phase_<name>_ms is
  // a duration like any other, so the gate names the phase that grew.
  if (INFO_METRICS.has(name) || /(_t|_ids|_predicted_ms)$/.test(name) || name.startsWith('platform_'))
    return 'info';
  if (STRICT_METRICS.has(name) || name.startsWith('leftover')) return 'strict';
  if (COUNT_METRICS.has(name)) return 'count';
  if (name.endsWith('_ms')) return 'duration';
  return 'info';
}

/** One figure of a scenario on both sides, over their repetitions. */
export interface MetricDelta {
  readonly metric: string;
  readonly kind: MetricKind;
  /** The median over the repetitions (a text figure: the first repetition's). */
  readonly baseline?: number | string;
  readonly current?: number | string;
  /** Numbers only: each side's spread. */
  readonly baselineSummary?: Summary;
  readonly currentSummary?: Summary;
  /** Durations and counts measured on both sides: what the statistical gate says. */
  readonly judgement?: FigureJudgement;
  readonly regression: boolean;
}

export interface VerdictChange {
  readonly verdict: string;
  /** Passed in every repetition; undefined: the check did not exist on that side. */
  readonly before?: boolean;
  readonly after?: boolean;
  /** Repetitions that failed it, each side. */
  readonly failedBefore: readonly number[];
  readonly failedAfter: readonly number[];
  readonly regression: boolean;
}

export interface ScenarioComparison {
  readonly name: string;
  /** Its repetitions on each side (one for a single run; none when absent). */
  readonly baseline: readonly ScenarioResult[];
  readonly current: readonly ScenarioResult[];
  readonly metrics: readonly MetricDelta[];
  readonly verdictChanges: readonly VerdictChange[];
  /** One line per regression, naming the scenario. */
  readonly regressions: readonly string[];
}

export interface Comparison {
  readonly margins: Margins;
  readonly scenarios: readonly ScenarioComparison[];
  readonly regressions: readonly string[];
  /** What each run ran on (its first fingerprinted result), and what changed between them. */
  readonly fingerprints: {
    readonly baseline?: RunFingerprint;
    readonly current?: RunFingerprint;
    readonly differences: readonly string[];
  };
}

function show(metric: string, v: number | string | undefined): string {
  return v === undefined ? '–' : formatMetric(metric, v);
}

/** ` in repetitions 2, 4 of 5` when the side was repeated; nothing for a single run (today's lines). */
function where(list: readonly number[], of: number): string {
  return of > 1 ? ` in ${namedRepetitions(list)} of ${of}` : '';
}

function measured(results: readonly ScenarioResult[], metric: string): (number | string)[] {
  return results.map((r) => r.metrics[metric]).filter((v) => v !== undefined);
}

function numbers(values: readonly (number | string)[]): number[] | undefined {
  const list = values.filter((v): v is number => typeof v === 'number');
  return list.length > 0 && list.length === values.length ? list : undefined;
}

function pct(before: number, after: number, metric: string): string {
  return before === 0 || !Number.isFinite(after)
    ? `from ${show(metric, before)}`
    : `${Math.round(((after - before) / Math.abs(before)) * 100)}%`;
}

function compareFigure(
  name: string,
  metric: string,
  b: readonly ScenarioResult[],
  c: readonly ScenarioResult[],
  m: Margins,
  regressions: string[],
): MetricDelta {
  const kind = metricKind(metric);
  const [bv, cv] = [measured(b, metric), measured(c, metric)];
  const [bn, cn] = [numbers(bv), numbers(cv)];
  const [bs, cs] = [bn && summarize(bn), cn && summarize(cn)];
  // Any occurrence in any repetition of the current run, whatever the baseline says.
  const absolute = c.flatMap((r) => {
    const found = absoluteRegression(metric, r.metrics[metric]);
    return found === undefined ? [] : [{ found, repetition: repetitionOf(r) }];
  });
  let regression = absolute.length > 0;
  if (absolute[0])
    regressions.push(
      `${name}: ${absolute[0].found}${where(
        absolute.map((a) => a.repetition),
        c.length,
      )}`,
    );
  let judgement: FigureJudgement | undefined;
  if (bn && cn && bs && cs && (kind === 'duration' || kind === 'count')) {
    judgement = judgeFigure(kind, bn, cn, m);
    if (judgement.verdict === 'regressed' && !regression) {
      regression = true;
      const n = c.length > 1 || b.length > 1 ? `medians of ${bn.length} vs ${cn.length}, ` : '';
      regressions.push(
        `${name}: ${metric} ${show(metric, bs.median)} → ${show(metric, cs.median)} (${n}+${pct(bs.median, cs.median, metric)}; ${judgement.why})`,
      );
    }
  } else if (
    bn &&
    cn &&
    bs &&
    cs &&
    kind === 'strict' &&
    !regression &&
    beyondMargins('strict', bs.max, cs.max, m)
  ) {
    // Data integrity is judged on its worst repetition: one loss anywhere is one too many.
    regression = true;
    const worst = c.filter((r) => r.metrics[metric] === cs.max).map(repetitionOf);
    regressions.push(
      `${name}: ${metric} ${show(metric, bs.max)} → ${show(metric, cs.max)} (+${pct(bs.max, cs.max, metric)}; no margin)${where(worst, c.length)}`,
    );
  }
  return {
    metric,
    kind,
    ...(bv[0] !== undefined && { baseline: bs ? bs.median : bv[0] }),
    ...(cv[0] !== undefined && { current: cs ? cs.median : cv[0] }),
    ...(bs && { baselineSummary: bs }),
    ...(cs && { currentSummary: cs }),
    ...(judgement && { judgement }),
    regression,
  };
}

/** A check's repetitions that failed it (or never reached it). */
function failedIn(results: readonly ScenarioResult[], check: string): number[] {
  return results.filter((r) => r.verdicts.find((v) => v.name === check)?.passed !== true).map(repetitionOf);
}

/**
 * A check failing in a repetition of the current run where the baseline's repetition of the same
 * number passed it (a repetition the baseline did not have: where it never failed it) is a
 * regression, as a check that is new and fails is.
 */
function compareCheck(
  name: string,
  check: string,
  b: readonly ScenarioResult[],
  c: readonly ScenarioResult[],
  regressions: string[],
): VerdictChange | undefined {
  const has = (rs: readonly ScenarioResult[]) => rs.some((r) => r.verdicts.some((v) => v.name === check));
  const [inBefore, inAfter] = [has(b), has(c)];
  const [failedBefore, failedAfter] = [failedIn(b, check), failedIn(c, check)];
  const passedBefore = (k: number): boolean => {
    if (!inBefore) return true;
    const same = b.find((r) => repetitionOf(r) === k);
    return same ? !failedBefore.includes(k) : failedBefore.length === 0;
  };
  const before = inBefore ? failedBefore.length === 0 : undefined;
  const after = inAfter ? failedAfter.length === 0 : undefined;
  if (c.length === 0 || (before === after && failedBefore.join() === failedAfter.join())) return undefined;
  const flipped = inAfter ? failedAfter.filter(passedBefore) : [];
  if (flipped.length > 0)
    regressions.push(
      `${name}: check "${check}" ${inBefore ? 'passed before, fails now' : 'is new and fails'}${where(flipped, c.length)}`,
    );
  return {
    verdict: check,
    ...(before !== undefined && { before }),
    ...(after !== undefined && { after }),
    failedBefore: inBefore ? failedBefore : [],
    failedAfter: inAfter ? failedAfter : [],
    regression: flipped.length > 0,
  };
}

function compareScenario(
  name: string,
  b: readonly ScenarioResult[],
  c: readonly ScenarioResult[],
  m: Margins,
): ScenarioComparison {
  const regressions: string[] = [];
  if (b.length > 0 && c.length === 0)
    regressions.push(`${name}: missing from the current run (it ran in the baseline)`);
  const keys = [...new Set([...b, ...c].flatMap((r) => Object.keys(r.metrics)))];
  const metrics = keys.map((metric) => compareFigure(name, metric, b, c, m, regressions));
  const checks = [...new Set([...b, ...c].flatMap((r) => r.verdicts.map((v) => v.name)))];
  const verdictChanges = checks.flatMap((check) => compareCheck(name, check, b, c, regressions) ?? []);
  const silent = c.filter((r) => r.verdicts.length === 0).map(repetitionOf);
  if (silent.length > 0 && b.some((r) => r.verdicts.length > 0))
    regressions.push(
      `${name}: recorded no verdicts${where(silent, c.length)} (it stopped before its checks)`,
    );
  return { name, baseline: b, current: c, metrics, verdictChanges, regressions };
}

/**
 * Pairs scenarios by name, placement and target/SUT (falling back to name and placement: a replica's
 * fault is never compared with the primary's), each with all its repetitions, and judges them.
 */
export function compareRuns(
  baseline: readonly ScenarioResult[],
  current: readonly ScenarioResult[],
  margins: Margins = DEFAULT_MARGINS,
): Comparison {
  const pairs: [string, readonly ScenarioResult[], readonly ScenarioResult[]][] = [];
  const unmatched = groupBySuite(current);
  const take = (pred: (g: SuiteGroup) => boolean) => {
    const i = unmatched.findIndex(pred);
    return i === -1 ? undefined : unmatched.splice(i, 1)[0];
  };
  const leftovers: SuiteGroup[] = [];
  for (const b of groupBySuite(baseline)) {
    const c = take((g) => g.name === b.name);
    if (c) pairs.push([b.name, b.results, c.results]);
    else leftovers.push(b);
  }
  const placeOf = (g: SuiteGroup) => {
    const [r] = g.results;
    return `${r?.scenario ?? ''} ${r?.placement ?? 'primary'}`;
  };
  for (const b of leftovers) {
    const c = take((g) => placeOf(g) === placeOf(b));
    const [bt, ct] = [b.results[0]?.target, c?.results[0]?.target];
    // Recovery on a lab and on a Kubernetes cluster are different systems, not an upgrade.
    if (c && bt !== ct)
      throw new UsageError(`not comparable: ${b.name} ran on target ${bt}, ${c.name} on target ${ct}`);
    pairs.push([c ? `${b.name} vs ${c.name}` : b.name, b.results, c?.results ?? []]);
  }
  for (const c of unmatched) pairs.push([c.name, [], c.results]);
  // Two runs with nothing in common are not a comparison: every line would read "absent → FAIL".
  if (!pairs.some(([, b, c]) => b.length > 0 && c.length > 0))
    throw new UsageError(
      `no scenario in common: baseline has ${listNames(baseline)}; current has ${listNames(current)}`,
    );
  const scenarios = pairs.map(([name, b, c]) => compareScenario(name, b, c, margins));
  const before = baseline.find((r) => r.fingerprint)?.fingerprint;
  const after = current.find((r) => r.fingerprint)?.fingerprint;
  return {
    margins,
    scenarios,
    regressions: scenarios.flatMap((s) => s.regressions),
    fingerprints: {
      ...(before && { baseline: before }),
      ...(after && { current: after }),
      differences: before && after ? fingerprintDifferences(before, after) : [],
    },
  };
}

function listNames(results: readonly ScenarioResult[]): string {
  return [...new Set(results.map(suiteName))].join(', ') || 'none';
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
