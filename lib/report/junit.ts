import { hostname as osHostname } from 'node:os';
import type { ScenarioResult, Verdict } from '../observe/timeline-events.js';
import { redact } from './redact.js';
import { escapeAttr, escapeText } from './xml-text.js';

export interface JunitOptions {
  /** Defaults to os.hostname(). */
  readonly hostname?: string;
  /** Name of the `<testsuites>` root. */
  readonly name?: string;
}

/** `network-partition [lab/patroni]`: the target and SUT in the name, so CI views tell runs apart. */
export function suiteName(r: Pick<ScenarioResult, 'scenario' | 'target' | 'sut' | 'placement'>): string {
  // The primary placement keeps the name scripts already match on.
  const placed = r.placement === undefined || r.placement === 'primary' ? '' : `, ${r.placement}`;
  return `${r.scenario} [${r.target}/${r.sut}${placed}]`;
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

function testsuite(r: ScenarioResult, id: number, host: string): string {
  const failures = r.verdicts.filter((v) => !v.passed).length;
  // A scenario that produced no verdict at all (it crashed before asserting) is an error, not a pass.
  const errors = r.verdicts.length === 0 ? 1 : 0;
  const tests = Math.max(1, r.verdicts.length);
  const props: [string, string][] = [
    ['pxchaos.scenario', r.scenario],
    ['pxchaos.target', r.target],
    ['pxchaos.sut', r.sut],
    ['pxchaos.placement', r.placement ?? 'primary'],
    ...(r.timelineFile ? ([['pxchaos.timeline', r.timelineFile]] as [string, string][]) : []),
    ...Object.entries(r.metrics).map(([k, v]): [string, string] => [k, String(v)]),
  ];
  const lines = [
    `  <testsuite name="${escapeAttr(suiteName(r))}" id="${id}" package="${escapeAttr(`pxchaos.${r.target}.${r.sut}`)}"` +
      ` tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(r.durationMs)}"` +
      ` timestamp="${escapeAttr(timestamp(r.startedAt))}" hostname="${escapeAttr(host)}">`,
    '    <properties>',
    ...props.map(
      ([k, v]) => `      <property name="${escapeAttr(clean(k))}" value="${escapeAttr(clean(v))}"/>`,
    ),
    '    </properties>',
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

/**
 * JUnit XML (the Jenkins xUnit schema, junit-10.xsd): one `<testsuite>` per scenario, one
 * `<testcase>` per verdict, measured figures as the suite's `<properties>` (the schema has no
 * properties on a testcase).
 */
export function renderJunit(results: readonly ScenarioResult[], options: JunitOptions = {}): string {
  const host = options.hostname ?? osHostname();
  const tests = results.reduce((n, r) => n + Math.max(1, r.verdicts.length), 0);
  const failures = results.reduce((n, r) => n + r.verdicts.filter((v) => !v.passed).length, 0);
  const errors = results.filter((r) => r.verdicts.length === 0).length;
  const time = results.reduce((n, r) => n + (Number.isFinite(r.durationMs) ? r.durationMs : 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeAttr(options.name ?? 'pxchaos')}" tests="${tests}" failures="${failures}"` +
      ` errors="${errors}" time="${seconds(time)}">`,
    ...results.map((r, i) => testsuite(r, i, host)),
    '</testsuites>',
    '',
  ].join('\n');
}
