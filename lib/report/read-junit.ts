import type { RunFingerprint } from '../observe/run-fingerprint.js';
import { UsageError } from '../errors.js';
import type { ScenarioResult, Verdict } from '../observe/timeline-events.js';
import { parseNamedRepetitions } from './repetitions.js';

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

const STATS = /\.(min|median|p90|max)$/;

/** A figure as read back: a number where it reads as one (the infinities included), else the text. */
function figure(v: unknown): number | string | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const text = v;
  return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
}

interface ReadCase {
  readonly name: string;
  readonly time: number;
  readonly kind?: string;
  readonly message?: string;
}

/** junit.ts writes the run's fingerprint as `fingerprint.<name>` properties. */
const FINGERPRINT = 'fingerprint.';

function fingerprintOf(props: Record<string, string>): { fingerprint?: RunFingerprint } {
  const found = Object.entries(props)
    .filter(([k]) => k.startsWith(FINGERPRINT))
    .map(([k, v]) => [k.slice(FINGERPRINT.length), v] as const);
  return found.length ? { fingerprint: Object.fromEntries(found) } : {};
}

/**
 * The repetitions of a repeated testsuite (renderJunit's layout for `--repeat N`): figures from
 * `<m>.values` (or a plain property, the same in each), a check failed in the repetitions its
 * message names (all when it names none), passed in the others.
 */
function repetitions(
  base: Omit<ScenarioResult, 'metrics' | 'verdicts'>,
  n: number,
  props: Record<string, string>,
  cases: readonly ReadCase[],
): ScenarioResult[] {
  const metrics = Array.from({ length: n }, (): Record<string, number | string> => ({}));
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith('pxchaos.') || k.startsWith(FINGERPRINT) || k === 'n' || STATS.test(k)) continue;
    if (k.endsWith('.values')) {
      let list: unknown;
      try {
        list = JSON.parse(v);
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list))
        throw new UsageError(`property ${k}: expected a JSON list of each repetition's value`);
      list.forEach((x, i) => {
        const value = figure(x);
        if (value !== undefined && metrics[i]) metrics[i][k.slice(0, -'.values'.length)] = value;
      });
    } else for (const m of metrics) m[k] = figure(v) ?? v;
  }
  const silent = cases.find((c) => c.kind === 'error' && c.name === 'scenario produced verdicts');
  const silentIn = new Set(silent ? (parseNamedRepetitions(silent.message ?? '') ?? []) : []);
  const all = Array.from({ length: n }, (_, i) => i + 1);
  return all.map((k, i) => ({
    ...base,
    repetition: k,
    metrics: metrics[i] ?? {},
    verdicts: silentIn.has(k)
      ? []
      : cases
          .filter((c) => c !== silent)
          .map((c) => {
            const failedIn = c.kind ? (parseNamedRepetitions(c.message ?? '') ?? all) : [];
            const failed = failedIn.includes(k);
            return {
              name: c.name,
              passed: !failed,
              durationMs: Math.round((c.time * 1000) / n),
              ...(failed ? { message: c.message ?? '' } : {}),
            };
          }),
  }));
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
      if (k.startsWith('pxchaos.') || k.startsWith(FINGERPRINT)) continue;
      metrics[k] = v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    }
    const cases: ReadCase[] = [];
    for (const tc of body.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const a = attributes(tc[1] ?? '');
      const failure = /<(failure|error)\b([^>]*)/.exec(tc[3] ?? '');
      cases.push({
        name: a.name ?? '',
        time: Number(a.time ?? 0),
        ...(failure && { kind: failure[1], message: attributes(failure[2] ?? '').message ?? '' }),
      });
    }
    const name = attrs.name ?? '';
    const base = {
      scenario: props['pxchaos.scenario'] ?? name.replace(/\s*\[.*\]$/, ''),
      target: props['pxchaos.target'] ?? '',
      sut: props['pxchaos.sut'] ?? '',
      startedAt: attrs.timestamp ?? '',
      durationMs: Math.round(Number(attrs.time ?? 0) * 1000),
      ...fingerprintOf(props),
    };
    const n = Number(props.n);
    if (Number.isInteger(n) && n > 1) {
      const placement = props['pxchaos.placement'];
      const placed = placement !== undefined && placement !== 'primary' ? { placement } : {};
      results.push(
        ...repetitions({ ...base, ...placed, durationMs: Math.round(base.durationMs / n) }, n, props, cases),
      );
      continue;
    }
    const verdicts: Verdict[] = cases
      .filter((c) => !(c.kind === 'error' && c.name === 'scenario produced verdicts'))
      .map((c) => ({
        name: c.name,
        passed: c.kind === undefined,
        durationMs: Math.round(c.time * 1000),
        ...(c.kind !== undefined ? { message: c.message ?? '' } : {}),
      }));
    results.push({ ...base, metrics, verdicts });
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
