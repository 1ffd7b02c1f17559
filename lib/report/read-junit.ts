import { UsageError } from '../errors.js';
import type { ScenarioResult, Verdict } from '../observe/timeline-events.js';

/**
 * Reads back a junit.xml written by renderJunit (for `report compare` when only the XML was
 * archived). Not a general JUnit parser: it relies on our own layout (one testsuite per
 * scenario, `pxchaos.*` properties, metrics as the other properties).
 */
function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, x: string) => String.fromCodePoint(parseInt(x, 16)))
    .replace(/&amp;/g, '&');
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w.:-]+)="([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) out[m[1]] = unescape(m[2]);
  }
  return out;
}

export function parseJunit(xml: string): ScenarioResult[] {
  const results: ScenarioResult[] = [];
  for (const suite of xml.matchAll(/<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const attrs = attributes(suite[1] ?? '');
    const body = suite[2] ?? '';
    const props: Record<string, string> = {};
    for (const p of body.matchAll(/<property\b([^>]*)\/>/g)) {
      const a = attributes(p[1] ?? '');
      if (a.name !== undefined && a.value !== undefined) props[a.name] = a.value;
    }
    const metrics: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(props)) {
      if (k.startsWith('pxchaos.')) continue;
      metrics[k] = v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    }
    const verdicts: Verdict[] = [];
    for (const tc of body.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const a = attributes(tc[1] ?? '');
      const inner = tc[3] ?? '';
      const failure = /<(failure|error)\b([^>]*)/.exec(inner);
      if (failure?.[1] === 'error' && a.name === 'scenario produced verdicts') continue;
      verdicts.push({
        name: a.name ?? '',
        passed: !failure,
        durationMs: Math.round(Number(a.time ?? 0) * 1000),
        ...(failure ? { message: attributes(failure[2] ?? '').message ?? '' } : {}),
      });
    }
    const name = attrs.name ?? '';
    results.push({
      scenario: props['pxchaos.scenario'] ?? name.replace(/\s*\[.*\]$/, ''),
      target: props['pxchaos.target'] ?? '',
      sut: props['pxchaos.sut'] ?? '',
      startedAt: attrs.timestamp ?? '',
      durationMs: Math.round(Number(attrs.time ?? 0) * 1000),
      metrics,
      verdicts,
    });
  }
  return results;
}

/**
 * Refuses a junit.xml that is not the shape renderJunit writes (truncated, garbage, hand-edited
 * into another layout): `report compare` must not compare against a file it half read.
 */
export function checkJunitText(xml: string, file: string): void {
  const body = xml.replace(/^\uFEFF?(<\?xml[^>]*\?>)?\s*/, '').trimEnd();
  const opens = [...body.matchAll(/<testsuite\b[^>]*?(\/?)>/g)];
  const closes = body.match(/<\/testsuite>/g)?.length ?? 0;
  const problem = !body.startsWith('<testsuites')
    ? 'no <testsuites> root'
    : !body.endsWith('</testsuites>')
      ? 'does not end with </testsuites> (truncated?)'
      : opens.filter((m) => m[1] !== '/').length !== closes
        ? 'unbalanced <testsuite> elements'
        : undefined;
  if (problem) throw new UsageError(`${file}: not a valid pxchaos junit.xml: ${problem}`);
}
