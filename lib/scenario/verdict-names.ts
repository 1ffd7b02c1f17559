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
  contentsPreserved: 'pgbench table contents preserved',
  pgbenchAtomicDurable: 'pgbench transactions atomic and durable',
  failedWrites: 'failed writes within expectation',
  primaryPlacement: 'primary placement as expected',
  healthyAfterHeal: 'cluster healthy after heal',
  nothingLeftBehind: 'nothing left behind',
  noOutsideFault: 'no outside fault during the run',
} as const;

export type CheckKey = keyof typeof CHECK;

/**
 * Every scenario reports every check, so a threshold in the config (failedWritesAllowed: false for
 * a partition, say) always has a check that enforces it.
 */
export const CHECK_KEYS = Object.keys(CHECK) as CheckKey[];
