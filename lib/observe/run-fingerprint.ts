/**
 * What a scenario ran on, recorded with its result so that `report compare` can say what changed
 * between two runs (the upgrade it is judging) and refuse runs that are not comparable. Flat
 * name → text, so it fits JUnit properties (`fingerprint.<name>`) as is. Names, in this order:
 * - `target`, `sut`: the target and the SUT (patroni, or the storage driver on Kubernetes);
 * - `postgres`: the server's `server_version`;
 * - the platform's own (each SUT adds what it knows): `kubernetes` (the API server's gitVersion),
 *   `nodes`, `storage_version`, `patroni`;
 * - `harness`, `harness_commit`: pxchaos's package version and git commit (`unknown` outside a checkout);
 * - `cpus`: CPUs of the harness's host;
 * - `timing`: a digest of the fault's expectation as the run applied it (thresholds, holds,
 *   tolerations, deadlines): two runs with different timing settings are not judged alike.
 * A figure the harness could not read is `unknown (<why>)`, never left out in silence.
 */
export type RunFingerprint = Readonly<Record<string, string>>;

/** Shown first, in this order; any other name follows, sorted. */
export const FINGERPRINT_ORDER = [
  'target',
  'sut',
  'postgres',
  'kubernetes',
  'nodes',
  'storage_version',
  'patroni',
  'harness',
  'harness_commit',
  'cpus',
  'timing',
] as const;

/** The fingerprint's names in display order. */
export function fingerprintNames(...prints: readonly (RunFingerprint | undefined)[]): string[] {
  const names = new Set(prints.flatMap((p) => Object.keys(p ?? {})));
  const known = FINGERPRINT_ORDER.filter((n) => names.has(n));
  const rest = [...names].filter((n) => !(FINGERPRINT_ORDER as readonly string[]).includes(n)).sort();
  return [...known, ...rest];
}

/** `postgres 15.8 → 16.4`, one line per name whose value differs (absent on one side: `–`). */
export function fingerprintDifferences(before: RunFingerprint, after: RunFingerprint): string[] {
  return fingerprintNames(before, after)
    .filter((n) => before[n] !== after[n])
    .map((n) => `${n} ${before[n] ?? '–'} → ${after[n] ?? '–'}`);
}
