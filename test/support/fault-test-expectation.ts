import type { Expectation } from '../../lib/sut/expectations.js';

/** An expectation for tests that build faults: a 1 s hold, a minute to recover. */
export const FAULT_TEST_EXPECTATION: Expectation = {
  recoveryWithinMs: 60_000,
  failedWritesAllowed: true,
  primaryMoves: 'either',
  holdMs: 1_000,
  source: 'unit test',
};
