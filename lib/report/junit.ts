import { hostname as osHostname } from 'node:os';
import type { ScenarioResult, Verdict } from '../observe/timeline-events.js';
import { redact } from './redact.js';
import { escapeAttr, escapeText } from './xml-text.js';
import { suiteName } from './suite-name.js';
import { checksAcross, type CheckAcross } from './check-across-repetitions.js';
import { figuresAcross } from './figures-across-repetitions.js';
import { groupBySuite, namedRepetitions, repetitionOf, type SuiteGroup } from './repetitions.js';

export interface JunitOptions {
  /** Defaults to os.hostname(). */
  readonly hostname?: string;
  /** Name of the `<testsuites>` root. */
  readonly name?: string;
}

function seconds(ms: number): string {
  return (Math.max(0, Number.isFinite(ms) ? ms : 0) / 1000).toFixed(3);
}

/** ISO 8601 to the second; an unparsable start time is passed through rather than invented. */
function timestamp(startedAt: string): string {
  const ms = Date.parse(startedAt);
  return Number.isNaN(ms) ? startedAt : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function clean(text: string): string {
  return redact(text);
}

function metricLines(r: ScenarioResult): string {
  return Object.entries(r.metrics)
    .map(([k, v]) => `  ${k} = ${String(v)}`)
    .join('\n');
}

function testcase(r: ScenarioResult, v: Verdict, indent: string): string {
  const attrs =
    `name="${escapeAttr(clean(v.name))}" classname="${escapeAttr(`pxchaos.${r.target}.${r.sut}.${r.scenario}`)}"` +
    ` time="${seconds(v.durationMs)}"`;
  if (v.passed) {
    if (!v.message) return `${indent}<testcase ${attrs}/>`;
    return `${indent}<testcase ${attrs}>\n${indent}  <system-out>${escapeText(clean(v.message))}</system-out>\n${indent}</testcase>`;
  }
  const message = clean(v.message ?? 'failed (no detail recorded)');
  const body = `${message}\n\nscenario: ${suiteName(r)}\nmeasured:\n${metricLines(r)}`;
  return (
    `${indent}<testcase ${attrs}>\n` +
    `${indent}  <failure type="expectation" message="${escapeAttr(message)}">${escapeText(clean(body))}</failure>\n` +
    `${indent}</testcase>`
  );
}

/** Which scenario a testsuite is: the properties every testsuite starts with. */
function identity(r: ScenarioResult): [string, string][] {
  return [
    ['pxchaos.scenario', r.scenario],
    ['pxchaos.target', r.target],
    ['pxchaos.sut', r.sut],
    ['pxchaos.placement', r.placement ?? 'primary'],
  ];
}

/** What the scenario ran on (lib/observe/run-fingerprint.ts), as `fingerprint.<name>` properties. */
function fingerprintProperties(r: ScenarioResult): [string, string][] {
  return Object.entries(r.fingerprint ?? {}).map(([k, v]): [string, string] => [`fingerprint.${k}`, v]);
}

/** `<testsuite …>` and its `<properties>`. */
function suiteHead(
  r: ScenarioResult,
  suite: { readonly id: number; readonly host: string; readonly timeMs: number } & SuiteCounts,
  props: readonly [string, string][],
): string[] {
  return [
    `  <testsuite name="${escapeAttr(suiteName(r))}" id="${suite.id}" package="${escapeAttr(`pxchaos.${r.target}.${r.sut}`)}"` +
      ` tests="${suite.tests}" failures="${suite.failures}" errors="${suite.errors}" skipped="0" time="${seconds(suite.timeMs)}"` +
      ` timestamp="${escapeAttr(timestamp(r.startedAt))}" hostname="${escapeAttr(suite.host)}">`,
    '    <properties>',
    ...props.map(
      ([k, v]) => `      <property name="${escapeAttr(clean(k))}" value="${escapeAttr(clean(v))}"/>`,
    ),
    '    </properties>',
  ];
}

function testsuite(r: ScenarioResult, id: number, host: string): string {
  const failures = r.verdicts.filter((v) => !v.passed).length;
  // A scenario that produced no verdict at all (it crashed before asserting) is an error, not a pass.
  const errors = r.verdicts.length === 0 ? 1 : 0;
  const tests = Math.max(1, r.verdicts.length);
  const props: [string, string][] = [
    ...identity(r),
    ...fingerprintProperties(r),
    ...(r.timelineFile ? ([['pxchaos.timeline', r.timelineFile]] as [string, string][]) : []),
    ...Object.entries(r.metrics).map(([k, v]): [string, string] => [k, String(v)]),
  ];
  const lines = [
    ...suiteHead(r, { id, host, timeMs: r.durationMs, tests, failures, errors }, props),
    ...r.verdicts.map((v) => testcase(r, v, '    ')),
  ];
  if (errors) {
    lines.push(
      `    <testcase name="scenario produced verdicts" classname="${escapeAttr(`pxchaos.${r.target}.${r.sut}.${r.scenario}`)}" time="${seconds(r.durationMs)}">`,
      `      <error type="no-verdicts" message="the scenario recorded no verdicts; it probably failed before asserting"/>`,
      '    </testcase>',
    );
  }
  lines.push('  </testsuite>');
  return lines.join('\n');
}

/** A non-finite figure keeps its name in JSON (plain JSON.stringify would make it null). */
function jsonValues(values: readonly (number | string | undefined)[]): string {
  return JSON.stringify(
    values.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : (v ?? null))),
  );
}

/**
 * The properties of a repeated scenario: `n`, and per figure its values per repetition (`<m>.values`,
 * a JSON array, so `report compare` can read a kept junit.xml back) with, for numbers, `<m>.min`,
 * `<m>.median`, `<m>.p90`, `<m>.max`; a text figure the same in every repetition keeps its plain name.
 */
function repeatedProperties(g: SuiteGroup): [string, string][] {
  const props: [string, string][] = [['n', String(g.results.length)]];
  for (const f of figuresAcross(g.results)) {
    const distinct = new Set(f.values);
    if (!f.summary && distinct.size === 1 && f.values[0] !== undefined) {
      props.push([f.metric, String(f.values[0])]);
      continue;
    }
    if (f.summary)
      for (const stat of ['min', 'median', 'p90', 'max'] as const)
        props.push([`${f.metric}.${stat}`, String(f.summary[stat])]);
    props.push([`${f.metric}.values`, jsonValues(f.values)]);
  }
  return props;
}

function repeatedTestcase(first: ScenarioResult, c: CheckAcross, indent: string): string {
  const attrs =
    `name="${escapeAttr(clean(c.name))}" classname="${escapeAttr(`pxchaos.${first.target}.${first.sut}.${first.scenario}`)}"` +
    ` time="${seconds(c.durationMs)}"`;
  if (c.state === 'passed') return `${indent}<testcase ${attrs}/>`;
  const message = clean(c.message ?? '');
  return (
    `${indent}<testcase ${attrs}>\n` +
    `${indent}  <failure type="${c.state === 'flaky' ? 'flaky' : 'expectation'}" message="${escapeAttr(message)}">${escapeText(`${message}\n\nscenario: ${suiteName(first)}`)}</failure>\n` +
    `${indent}</testcase>`
  );
}

/** One testsuite for every repetition of a scenario: a check fails when any repetition failed it. */
function repeatedTestsuite(g: SuiteGroup, id: number, host: string): string {
  const first = g.results[0] as ScenarioResult;
  const checks = checksAcross(g.results);
  const silent = g.results.filter((r) => r.verdicts.length === 0).map(repetitionOf);
  const failures = checks.filter((c) => c.state !== 'passed').length;
  const errors = silent.length > 0 ? 1 : 0;
  const time = g.results.reduce((n, r) => n + (Number.isFinite(r.durationMs) ? r.durationMs : 0), 0);
  const timelines = g.results.flatMap((r) => (r.timelineFile ? [r.timelineFile] : []));
  const props: [string, string][] = [
    ...identity(first),
    ...fingerprintProperties(first),
    ...(timelines.length ? ([['pxchaos.timelines', timelines.join(', ')]] as [string, string][]) : []),
    ...repeatedProperties(g),
  ];
  const classname = escapeAttr(`pxchaos.${first.target}.${first.sut}.${first.scenario}`);
  return [
    ...suiteHead(first, { id, host, timeMs: time, tests: checks.length + errors, failures, errors }, props),
    ...checks.map((c) => repeatedTestcase(first, c, '    ')),
    ...(errors
      ? [
          `    <testcase name="scenario produced verdicts" classname="${classname}" time="0.000">`,
          `      <error type="no-verdicts" message="${escapeAttr(`${namedRepetitions(silent)} of ${g.results.length} recorded no verdicts; they probably failed before asserting`)}"/>`,
          '    </testcase>',
        ]
      : []),
    '  </testsuite>',
  ].join('\n');
}

interface SuiteCounts {
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
}

function counts(g: SuiteGroup): SuiteCounts {
  const [only] = g.results;
  if (g.results.length === 1 && only)
    return {
      tests: Math.max(1, only.verdicts.length),
      failures: only.verdicts.filter((v) => !v.passed).length,
      errors: only.verdicts.length === 0 ? 1 : 0,
    };
  const checks = checksAcross(g.results);
  const errors = g.results.some((r) => r.verdicts.length === 0) ? 1 : 0;
  return {
    tests: checks.length + errors,
    failures: checks.filter((c) => c.state !== 'passed').length,
    errors,
  };
}

/**
 * JUnit XML (the Jenkins xUnit schema, junit-10.xsd): one `<testsuite>` per scenario, one
 * `<testcase>` per verdict, measured figures as the suite's `<properties>` (the schema has no
 * properties on a testcase). A scenario run `--repeat N` times is still one testsuite: a testcase
 * fails when any repetition failed it (flaky when others passed: its own failure type and a message
 * starting "flaky:"), and the properties give `n` and each figure's spread.
 */
export function renderJunit(results: readonly ScenarioResult[], options: JunitOptions = {}): string {
  const host = options.hostname ?? osHostname();
  const groups = groupBySuite(results);
  const total = groups.map(counts);
  const sum = (key: keyof SuiteCounts) => total.reduce((n, c) => n + c[key], 0);
  const time = results.reduce((n, r) => n + (Number.isFinite(r.durationMs) ? r.durationMs : 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeAttr(options.name ?? 'pxchaos')}" tests="${sum('tests')}" failures="${sum('failures')}"` +
      ` errors="${sum('errors')}" time="${seconds(time)}">`,
    ...groups.map((g, i) =>
      g.results.length === 1 && g.results[0]
        ? testsuite(g.results[0], i, host)
        : repeatedTestsuite(g, i, host),
    ),
    '</testsuites>',
    '',
  ].join('\n');
}
