import { PxStateUnreadable } from './px-state-unreadable.js';

/**
 * Field access over the JSON encodings PX uses for one object (SOURCES.md, "Surprises" 1): proto
 * names in snake_case (`pxctl -j`, the SDK REST gateway, Go `encoding/json` of SDK structs), the
 * proto3 JSON default camelCase, and Go field names (`Id`, `MgmtIp`, legacy REST on 9001).
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `attached_on` → `attachedOn`; `mgmt_ip` → `mgmtIp`. */
function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `mgmt_ip` → `MgmtIp`: the Go field name `encoding/json` writes for a struct without json tags. */
function goName(snake: string): string {
  const c = camel(snake);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** The field under its snake_case, camelCase or Go name, whichever the object has. */
export function field(obj: JsonObject, snake: string): unknown {
  for (const key of [snake, camel(snake), goName(snake)]) if (key in obj) return obj[key];
  return undefined;
}

/** A string field; `""` and absent are both `undefined` (pxctl emits `""`, Go omits it). */
export function optionalString(obj: JsonObject, snake: string, what: string): string | undefined {
  const v = field(obj, snake);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw new PxStateUnreadable(`${what}: ${snake} is not a string (${JSON.stringify(v)})`);
  return v;
}

export function requiredString(obj: JsonObject, snake: string, what: string): string {
  const v = optionalString(obj, snake, what);
  if (v === undefined) throw new PxStateUnreadable(`${what}: no ${snake}`);
  return v;
}

/**
 * An enum field as PX spells it in any encoding: an integer (Go JSON, legacy REST), the full enum name
 * (`VOLUME_STATUS_UP`, SDK REST) or pxctl's short lowercase name (`up`). Returns the short name in
 * lowercase (`up`, `status_ok` → `ok`), `names[n]` for an integer, or `undefined` when absent.
 */
export function enumName(
  obj: JsonObject,
  snake: string,
  prefix: string,
  names: readonly string[],
  what: string,
): string | undefined {
  const v = field(obj, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') {
    const name = names[v];
    if (name === undefined) throw new PxStateUnreadable(`${what}: ${snake} ${v} is no known value`);
    return name;
  }
  if (typeof v !== 'string' || v === '')
    throw new PxStateUnreadable(`${what}: ${snake} is neither a number nor a name (${JSON.stringify(v)})`);
  const lower = v.toLowerCase();
  return lower.startsWith(prefix) ? lower.slice(prefix.length) : lower;
}

/** Parse JSON text, or throw naming what it was meant to be and how it starts. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const start = text.trim().slice(0, 40).replace(/\s+/g, ' ');
    throw new PxStateUnreadable(`${what} is not JSON (starts "${start}")`, { cause: err });
  }
}
