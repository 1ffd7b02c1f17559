/**
 * Whether a failed single-statement autocommit write definitely did not commit ('failed') or may
 * have committed ('unknown'). The rule:
 *
 * - Nothing reached the server (endpoint lookup, TCP connect, authentication, a client already
 *   known broken): failed.
 * - The server answered the statement with an ERROR (a SQLSTATE outside the session-ending classes): failed. An ERROR aborts the statement's
 *   transaction; Postgres escalates any error after the commit record to PANIC, so an ERROR never
 *   follows a commit. This covers 25006 read-only transaction, 23505 unique violation, 57014 query
 *   canceled, 40001/40P01, 53100 disk full, 42P01 undefined table...
 * - FATAL or PANIC after the statement was sent: unknown. 57P01 admin_shutdown, for one, is also
 *   how a backend terminated while waiting for synchronous replication ends, after committing locally.
 * - No answer (client-side deadline, ECONNRESET, EPIPE, "Connection terminated unexpectedly"): unknown.
 */
export type WriteFailure = 'failed' | 'unknown';

/** Errors pg raises locally without sending the query. */
const NOT_SENT = [/not queryable/i, /Client was closed/i, /Client has already been connected/i];
const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Classes that end the session rather than the statement: 08 connection, 57P0x shutdown, 58 system, XX internal. */
const SESSION_ENDING = /^(08|57P|58|XX)/;

export function classifyWriteError(err: unknown, sent: boolean): WriteFailure {
  if (!sent) return 'failed';
  const e = err as { message?: unknown; severity?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  if (NOT_SENT.some((re) => re.test(message))) return 'failed';
  const code = sqlState(err);
  if (code === undefined) return 'unknown';
  // Severity text is localized (lc_messages), so the SQLSTATE class decides too.
  if (e.severity === 'FATAL' || e.severity === 'PANIC' || SESSION_ENDING.test(code)) return 'unknown';
  return 'failed';
}

/** A short, secret-free description of a pg / socket error for the timeline. */
export function describePgError(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown; severity?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const severity = typeof e?.severity === 'string' ? e.severity : undefined;
  const prefix = [severity, code].filter(Boolean).join(' ');
  const text = prefix && !message.includes(code ?? '\u0000') ? `${prefix}: ${message}` : message;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * True when the error concerns the connection or session rather than the statement (no SQLSTATE,
 * or one of the session-ending classes): a read that failed this way is worth retrying.
 */
export function isSessionError(err: unknown): boolean {
  const code = sqlState(err);
  return code === undefined || SESSION_ENDING.test(code) || code === '53300';
}

/** The SQLSTATE of an error the server sent; socket errors (code 'EPIPE' looks like one) have no severity. */
function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; severity?: unknown } | undefined;
  return typeof e?.severity === 'string' && typeof e.code === 'string' && SQLSTATE.test(e.code)
    ? e.code
    : undefined;
}
