import type { FaultKind } from '../sut/expectations.js';

/**
 * The checks each scenario reports, one mocha test and one JUnit testcase each. Known up front so
 * mocha can declare one `it` per check before the scenario runs; a check the run never reached
 * fails with the run's error instead of vanishing from the report.
 */
export const CHECK = {
  faultTookHold: 'fault took hold (verified)',
  recovered: 'service recovered within the expected time',
  noAckedLost: 'no acknowledged write lost',
  failedNotCommitted: 'failed writes did not commit',
  rowsPreserved: 'pgbench rows preserved',
  noFailedWrites: 'no write failed',
  primaryPlacement: 'primary placement as expected',
  healthyAfterHeal: 'cluster healthy after heal',
  nothingLeftBehind: 'nothing left behind',
} as const;

export type CheckKey = keyof typeof CHECK;

/** The checks of a scenario; "no write failed" belongs to the fault the SUT should absorb. */
export function checksFor(kind: FaultKind): CheckKey[] {
  const keys: CheckKey[] = [
    'faultTookHold',
    'recovered',
    'noAckedLost',
    'failedNotCommitted',
    'rowsPreserved',
  ];
  if (kind === 'agent-restart-within-grace') keys.push('noFailedWrites');
  keys.push('primaryPlacement', 'healthyAfterHeal', 'nothingLeftBehind');
  return keys;
}
