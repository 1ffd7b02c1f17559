import { z } from 'zod';
import { DurationTooLongError, formatLimit, MAX, parseDuration } from '../time/duration.js';

/**
 * The builders every config section is made of, the base's (config-schema.ts) and each storage
 * driver's own (lib/sut/<driver>/): every leaf carries its own "expected ..." message so a
 * validation error names the key and the form it wants without dumping zod internals.
 */

/** A duration with a unit → milliseconds. Bare numbers are refused (is `20` seconds or ms?). */
export function duration(example: string, opts: { min?: number; max?: number; wholeSeconds?: boolean } = {}) {
  const max = opts.max ?? MAX.config;
  const expected = opts.wholeSeconds
    ? `expected a duration in whole seconds with a unit (like ${example})`
    : `expected a duration with a unit (like ${example}; units: ms, s, m, h)`;
  return z.string({ error: expected }).transform((text, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(text, 'duration', { maxMs: max });
    } catch (err) {
      // No timer may be set past what setTimeout holds: every duration has a maximum (docs/run-safety.md).
      const message = err instanceof DurationTooLongError ? `expected at most ${formatLimit(max)}` : expected;
      ctx.addIssue({ code: 'custom', message, input: text });
      return z.NEVER;
    }
    if (opts.wholeSeconds && ms % 1000 !== 0) {
      ctx.addIssue({ code: 'custom', message: expected, input: text });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) {
      ctx.addIssue({ code: 'custom', message: `expected at least ${opts.min}ms (got ${text})`, input: text });
      return z.NEVER;
    }
    return ms;
  });
}

export function int(min: number, max: number) {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, {
    error: expected,
  });
}

export function number(min: number, max: number) {
  const expected = `expected a number from ${min} to ${max}`;
  return z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

export function text(what = 'a non-empty string') {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}

/** A strict section: unknown keys are errors (typos must not be silently ignored). */
export function section<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `expected one of: ${known}`
        : issue.code === 'invalid_type'
          ? `expected a mapping with keys: ${known}`
          : undefined,
  });
}

/** One of `values`, the error listing them all. */
export function oneOf<const T extends readonly string[]>(values: T) {
  return z.enum(values, { error: `expected one of: ${values.join(', ')}` });
}

/** A string `check` accepts (it throws otherwise); one message for every way it can fail. */
export function checked(expected: string, check: (value: string) => unknown) {
  return z.string({ error: expected }).refine(
    (value) => {
      try {
        check(value);
        return true;
      } catch {
        return false;
      }
    },
    { error: expected },
  );
}

/** A Kubernetes resource quantity (1Gi, 500Mi, 250m, 2). */
export function quantity(example: string) {
  const expected = `expected a Kubernetes quantity (like ${example}; suffixes m, k, M, G, Ki, Mi, Gi, Ti)`;
  return z
    .string({ error: expected })
    .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, { error: expected });
}

/** A Kubernetes namespace (or other DNS-label) name; `what` names it in the messages ("a namespace name"). */
export function dnsLabel(what: string) {
  return z
    .string({ error: `expected ${what} (lowercase letters, digits, dashes)` })
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
      error: `expected ${what}: lowercase letters, digits, dashes (≤ 63)`,
    });
}

/** A Kubernetes label key or value: ≤ 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends (key may carry a DNS prefix/). */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
export const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
