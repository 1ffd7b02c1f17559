import type { ExecResult } from '../../nodes/exec-result.js';
import { PxStateUnreadable } from './px-state-unreadable.js';

/**
 * pxctl's output as its readers take it. PX 3.x prints its own logrus lines along with a command's
 * output (SOURCES.md "Surprises" 9): recorded in a terminal as `DEBU[0000] …` between `Status:` and
 * `Telemetry:` (fixture pxctl-status-px3.x-log-lines-interleaved-…); without a terminal (an exec
 * through the API server has none) logrus writes its text format, `time="…" level=info msg="…"`, as
 * Stork's recorded log lines show (fixture stork-log-deleting-pod-…). Which stream they go to is not
 * recorded (a terminal shows both as one), so readers take stdout alone and skip log lines
 * wherever they are; stderr only explains an empty stdout.
 */

/** logrus's terminal format: `INFO[0000] …` (a level's first four letters, then the seconds since start). */
const LOGRUS_TERMINAL = /^\s*(TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)\[[^\]]*\]/;
/** logrus's text format without a terminal: `time="…" level=info msg="…"` (the time may be disabled). */
const LOGRUS_TEXT = /^\s*(time="[^"]*"\s+)?level=(trace|debug|info|warning|warn|error|fatal|panic)\s+msg=/;
/** logrus's JSON format: one object per line with `level` and `msg`. */
const LOGRUS_JSON = /^\s*\{.*"level":\s*"(trace|debug|info|warning|error|fatal|panic)".*"msg":/;

export function isPxctlLogLine(line: string): boolean {
  return LOGRUS_TERMINAL.test(line) || LOGRUS_TEXT.test(line) || LOGRUS_JSON.test(line);
}

/** The output's lines without pxctl's log lines. */
export function pxctlLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => !isPxctlLogLine(line));
}

/**
 * Where the JSON value starting at `from` ends (the index after its closing bracket), or -1 when
 * it does not close: brackets counted outside strings, escapes inside them skipped.
 */
function closingIndex(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * A line that opens a top-level JSON object or array: at its start (pxctl indents what is inside,
 * so the inner objects of a document cut short are never taken for one), `{` then a key, `}` or the
 * line's end; `[` then a value, `]` or the line's end. Not a shell prompt (`[root@host /]#`).
 */
const JSON_OPENING = /^(\{(?=\s*("|\}|$))|\[(?=\s*([{["\]\d-]|true\b|false\b|null\b|$)))/gm;

/**
 * The JSON document in `pxctl -j …` stdout, with log lines (or any other text, such as a notice or a
 * shell prompt) before or after it: the first line that opens a value which closes and parses.
 * Undefined when no line opens one (pxctl printed text: PX is down, or a pxctl that ignores `-j`);
 * PxStateUnreadable when one opens but none parses (output cut short).
 */
export function findPxctlJson(stdout: string, what: string): unknown {
  const text = pxctlLines(stdout).join('\n');
  let opened = false;
  for (const m of text.matchAll(JSON_OPENING)) {
    opened = true;
    const start = m.index;
    const end = closingIndex(text, start);
    if (end < 0) continue;
    try {
      return JSON.parse(text.slice(start, end)) as unknown;
    } catch {
      // Not this one (a prompt like `[root@host /]#`): the next line that opens a value.
    }
  }
  if (!opened) return undefined;
  const start = text.trim().slice(0, 40).replace(/\s+/g, ' ');
  throw new PxStateUnreadable(`${what} is not JSON (no whole JSON document; starts "${start}")`);
}

/** `findPxctlJson`, where text instead of a document is unreadable too. */
export function requirePxctlJson(stdout: string, what: string): unknown {
  const doc = findPxctlJson(stdout, what);
  if (doc === undefined) {
    const start = stdout.trim().slice(0, 40).replace(/\s+/g, ' ');
    throw new PxStateUnreadable(`${what} is not JSON (starts "${start}")`);
  }
  return doc;
}

/**
 * What a pxctl run by exec gave its readers: stdout, whatever the exit code (pxctl exits non-zero
 * with `PX is not running on this host`, which is the answer), or an Error saying why there is
 * nothing to read, with stderr's first line that is not a log line.
 */
export function pxctlStdout(r: Pick<ExecResult, 'stdout' | 'stderr' | 'exitCode'>): string | Error {
  if (pxctlLines(r.stdout).some((l) => l.trim() !== '')) return r.stdout;
  const said = pxctlLines(r.stderr)
    .map((l) => l.trim())
    .find((l) => l !== '');
  return new Error(`exit ${r.exitCode}, nothing on stdout${said ? `: ${said.slice(0, 200)}` : ''}`);
}
