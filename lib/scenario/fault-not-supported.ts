import type { FaultKind } from '../sut/expectations.js';
import type { Sut } from '../sut/sut.js';

/** The SUT has no expectation for this fault (its storage driver does not support it yet): not injected. */
export class FaultNotSupportedError extends Error {
  override name = 'FaultNotSupportedError';

  constructor(
    readonly sut: Sut['name'],
    readonly kind: FaultKind,
  ) {
    super(
      `the ${sut} SUT does not support the ${kind} fault yet (no expectation for it): stopped before injecting anything`,
    );
  }
}
