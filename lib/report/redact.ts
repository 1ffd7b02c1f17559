/**
 * Removes credentials that may ride along in error messages (a libpq connection string, a URL
 * with a password, an environment assignment) before anything is written to a report.
 */
const PATTERNS: readonly [RegExp, string][] = [
  // postgres://user:secret@host → postgres://user:***@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@'],
  // "password": "two words" (a JSON value in quotes may contain spaces)
  [/("(?:(?:pg)?pass(?:word)?|secret|token|api[_-]?key)"\s*:\s*")[^"]*"/gi, '$1***"'],
  // password=secret, PGPASSWORD=secret, "password": "secret", password: secret
  [/((?:pg)?pass(?:word)?|secret|token|api[_-]?key)(["']?\s*[=:]\s*["']?)[^\s"',;&]+/gi, '$1$2***'],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
