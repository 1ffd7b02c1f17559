import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { envOverrides } from './env-overrides.js';

export const DEFAULT_CONFIG_FILE = 'pxchaos.yaml';

export interface LoadConfigOptions {
  /** `--config FILE`; otherwise PXCHAOS_CONFIG, otherwise `pxchaos.yaml` in `cwd` if present. */
  readonly file?: string;
  /** Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to process.cwd(). */
  readonly cwd?: string;
  /**
   * Command-line flags in the file's shape (e.g. `{ target: 'kind', reportDir: 'out' }`); they
   * win over the environment, which wins over the file.
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

type RawObject = Record<string, unknown>;

/** Where a key's value came from, for error messages and for resolving relative paths. */
type Origin =
  { readonly kind: 'file' } | { readonly kind: 'env'; readonly variable: string } | { readonly kind: 'flag' };

interface ConfigSourceFile {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

/** A key path within the config (`['kind', 'configFile']`); `*` stands for every item of a list. */
export type ConfigKeyPath = readonly string[];

/**
 * Loads the configuration `schema` describes (the whole one: lib/pxchaos-config.ts): YAML file,
 * then `PXCHAOS_*` environment overrides, then command-line overrides, validated as a whole. Any
 * problem is one UsageError (exit 2) that names each bad key, where it came from and the form
 * expected. The values at `filePaths` are made absolute.
 */
export async function loadConfigWith<C extends object>(
  schema: z.ZodType<C>,
  filePaths: readonly ConfigKeyPath[],
  options: LoadConfigOptions = {},
): Promise<C & { readonly source?: string }> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = await findConfigFile(options.file ?? env.PXCHAOS_CONFIG, cwd);

  const source = file ? await readConfigFile(file) : undefined;
  const raw: RawObject = source ? rawMapping(source) : {};
  const origins = new Map<string, Origin>();

  for (const o of envOverrides(schema, env)) {
    setAt(raw, o.path, o.value);
    origins.set(keyOf(o.path), { kind: 'env', variable: o.variable });
  }
  for (const [leafPath, value] of flatten(options.overrides ?? {}, [])) {
    setAt(raw, leafPath, value);
    origins.set(keyOf(leafPath), { kind: 'flag' });
  }

  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(formatIssues(parsed.error.issues, raw, origins, source, cwd));
  }
  const config = parsed.data;
  const baseFor = (keyPath: readonly (string | number)[]): string => {
    // Set in the file → relative to the file; env, flags and defaults → relative to cwd.
    const inFile = source && originOf(keyPath, origins) === undefined && valueAt(raw, keyPath) !== undefined;
    return inFile ? path.dirname(source.file) : cwd;
  };
  resolvePaths(config, filePaths, baseFor);
  return source ? { ...config, source: source.file } : config;
}

async function findConfigFile(explicit: string | undefined, cwd: string): Promise<string | undefined> {
  if (explicit !== undefined && explicit.trim() !== '') {
    const file = path.resolve(cwd, expandHome(explicit));
    if (!(await isFile(file))) throw new UsageError(`config file not found: ${explicit}`);
    return file;
  }
  const fallback = path.join(cwd, DEFAULT_CONFIG_FILE);
  return (await isFile(fallback)) ? fallback : undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function readConfigFile(file: string): Promise<ConfigSourceFile> {
  let textContent: string;
  try {
    textContent = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(textContent, { lineCounter: lines, prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    const at = first.linePos?.[0];
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    throw new UsageError(
      `config file ${where}: not valid YAML: ${first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  return { file, doc, lines };
}

function rawMapping(source: ConfigSourceFile): RawObject {
  const value: unknown = source.doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new UsageError(
      `config file ${source.file}: expected a mapping of settings (target, reportDir, lab, ...)`,
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setAt(target: RawObject, keyPath: readonly string[], value: unknown): void {
  let node = target;
  for (const key of keyPath.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as RawObject;
  }
  const last = keyPath[keyPath.length - 1];
  if (last !== undefined) node[last] = value;
}

function flatten(value: Readonly<RawObject>, prefix: readonly string[]): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    if (isPlainObject(child)) out.push(...flatten(child, [...prefix, key]));
    else out.push([[...prefix, key], child]);
  }
  return out;
}

function keyOf(keyPath: readonly PropertyKey[]): string {
  return keyPath.map(String).join('\u0000');
}

/** The origin of a key or of the closest overridden ancestor; undefined means the file (or a default). */
function originOf(keyPath: readonly PropertyKey[], origins: ReadonlyMap<string, Origin>): Origin | undefined {
  for (let n = keyPath.length; n > 0; n--) {
    const origin = origins.get(keyOf(keyPath.slice(0, n)));
    if (origin) return origin;
  }
  return undefined;
}

function displayPath(keyPath: readonly PropertyKey[]): string {
  let out = '';
  for (const key of keyPath) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(top level)';
}

function valueAt(raw: unknown, keyPath: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of keyPath) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isPlainObject(node)) node = node[String(key)];
    else return undefined;
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === undefined) return ' (missing)';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? ' (got a list)' : ' (got a mapping)';
  const shown = JSON.stringify(value);
  return ` (got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown})`;
}

function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: RawObject,
  origins: ReadonlyMap<string, Origin>,
  source: ConfigSourceFile | undefined,
  cwd: string,
): string {
  const where = (keyPath: readonly PropertyKey[]): string => {
    const shown = displayPath(keyPath);
    const origin = originOf(keyPath, origins);
    if (origin?.kind === 'env') return `${origin.variable} (${shown})`;
    if (origin?.kind === 'flag') return `${shown} (command line)`;
    const node = source?.doc.getIn(keyPath as unknown[], true) as
      { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    if (source && offset !== undefined) return `${shown} (line ${source.lines.linePos(offset).line})`;
    return shown;
  };

  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        lines.push(`${where([...issue.path, key])}: unknown key; ${issue.message}`);
      continue;
    }
    const value = valueAt(raw, issue.path);
    const got =
      issue.code === 'custom' && value !== undefined && typeof value === 'object' ? '' : describeValue(value);
    lines.push(`${where(issue.path)}: ${issue.message}${got}`);
  }
  const heading = source
    ? `invalid configuration in ${path.relative(cwd, source.file) || source.file}`
    : 'invalid configuration';
  // The first line stands alone (a CLI may print only that); further problems follow, indented.
  const [first, ...rest] = lines;
  const more = rest.length ? ` (${rest.length} more below)` : '';
  return [`${heading}: ${first ?? 'invalid'}${more}`, ...rest.map((l) => `  ${l}`)].join('\n');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : p;
}

/**
 * Relative paths are relative to the file that set them (or cwd for env/flags), like docker compose.
 * `filePaths` name the keys holding local paths; a key that is not set is left alone.
 */
function resolvePaths(
  config: object,
  filePaths: readonly ConfigKeyPath[],
  baseFor: (keyPath: readonly (string | number)[]) => string,
): void {
  const visit = (node: unknown, rest: ConfigKeyPath, at: (string | number)[]): void => {
    const [key, ...more] = rest;
    if (key === undefined) return;
    if (key === '*') {
      if (Array.isArray(node)) node.forEach((item: unknown, i) => visit(item, more, [...at, i]));
      return;
    }
    if (!isPlainObject(node)) return;
    const value = node[key];
    if (more.length > 0) visit(value, more, [...at, key]);
    else if (typeof value === 'string') node[key] = path.resolve(baseFor([...at, key]), expandHome(value));
  };
  for (const keyPath of filePaths) visit(config, keyPath, []);
}
