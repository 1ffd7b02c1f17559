import type { z } from 'zod';

/** One `PXCHAOS_*` variable mapped onto a config key. */
export interface EnvOverride {
  readonly variable: string;
  readonly path: readonly string[];
  readonly value: unknown;
}

type LeafKind = 'string' | 'number' | 'boolean' | 'mixed';

interface Leaf {
  readonly variable: string;
  readonly path: readonly string[];
  readonly kind: LeafKind;
}

/** Minimal view of zod 4's schema definitions, enough to walk the shape of the config. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly keyType?: z.core.$ZodType;
  readonly valueType?: z.core.$ZodType;
  readonly entries?: Record<string, string>;
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  const def: unknown = schema._zod.def;
  return def as SchemaDef;
}

/** `reportDir` → `REPORT_DIR`, `network-partition` → `NETWORK_PARTITION`. */
function envSegment(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase();
}

/**
 * Every scalar key of the schema becomes an environment variable: the key path in
 * SCREAMING_SNAKE joined by `_`, e.g. lab.patroni.ttl → PXCHAOS_LAB_PATRONI_TTL. Derived from
 * the schema so a new config key is overridable without a second list to maintain.
 */
function leaves(schema: z.core.$ZodType, path: readonly string[], out: Leaf[]): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'prefault':
    case 'default':
    case 'nullable':
      if (def.innerType) leaves(def.innerType, path, out);
      return;
    case 'pipe':
      if (def.in) leaves(def.in, path, out);
      return;
    case 'object':
      for (const [key, child] of Object.entries(def.shape ?? {})) leaves(child, [...path, key], out);
      return;
    case 'record': {
      const keys = def.keyType ? Object.values(defOf(def.keyType).entries ?? {}) : [];
      for (const key of keys) if (def.valueType) leaves(def.valueType, [...path, key], out);
      return;
    }
    case 'string':
    case 'enum':
    case 'literal':
      out.push({ variable: toVariable(path), path, kind: 'string' });
      return;
    case 'number':
      out.push({ variable: toVariable(path), path, kind: 'number' });
      return;
    case 'boolean':
      out.push({ variable: toVariable(path), path, kind: 'boolean' });
      return;
    case 'union':
      out.push({ variable: toVariable(path), path, kind: 'mixed' });
      return;
    default:
      // Lists (vm.inventory) are not overridable from the environment: they need a file.
      return;
  }
}

function toVariable(path: readonly string[]): string {
  return `PXCHAOS_${path.map(envSegment).join('_')}`;
}

/**
 * Older, shorter names still honoured (the long name wins when both are set): PXCHAOS_LAB named the
 * lab for `lab` and `inject` before every verb read the configuration.
 */
const ALIASES: Readonly<Record<string, string>> = { PXCHAOS_LAB_NAME: 'PXCHAOS_LAB' };

const cachedLeaves = new WeakMap<z.core.$ZodType, readonly Leaf[]>();

function allLeaves(schema: z.core.$ZodType): readonly Leaf[] {
  let found = cachedLeaves.get(schema);
  if (!found) {
    const out: Leaf[] = [];
    leaves(schema, [], out);
    found = out;
    cachedLeaves.set(schema, found);
  }
  return found;
}

/** Environment values are strings; give numbers and booleans their type so the schema sees what YAML would give. */
function coerce(raw: string, kind: LeafKind): unknown {
  const trimmed = raw.trim();
  if ((kind === 'number' || kind === 'mixed') && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if ((kind === 'boolean' || kind === 'mixed') && /^(true|false)$/i.test(trimmed)) {
    return trimmed.toLowerCase() === 'true';
  }
  return trimmed;
}

/** The names of every override `schema` (the whole config's) supports, for help texts and docs. */
export function envVariablesOf(schema: z.core.$ZodType): string[] {
  return allLeaves(schema).map((l) => l.variable);
}

/**
 * The overrides of `schema`'s keys present in `env`. Unknown `PXCHAOS_*` names are ignored (other parts of the
 * harness have their own variables, e.g. PXCHAOS_CONFIG); empty values count as unset.
 */
export function envOverrides(schema: z.core.$ZodType, env: NodeJS.ProcessEnv): EnvOverride[] {
  const found: EnvOverride[] = [];
  for (const leaf of allLeaves(schema)) {
    const alias = ALIASES[leaf.variable];
    const variable = env[leaf.variable]?.trim() || !alias ? leaf.variable : alias;
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    found.push({ variable, path: leaf.path, value: coerce(raw, leaf.kind) });
  }
  return found;
}
