import type { FaultKind } from '../sut/expectations.js';
import type { Placement } from '../sut/placement.js';
import type { Sut } from '../sut/sut.js';

/** The SUT has no expectation for this fault (its storage driver does not support it yet): not injected. */
export class FaultNotSupportedError extends Error {
  override name = 'FaultNotSupportedError';

  constructor(
    readonly sut: Sut['name'],
    readonly kind: FaultKind,
    readonly placement: Placement = 'primary',
  ) {
    super(
      `the ${sut} SUT does not support the ${kind} fault${placement === 'primary' ? '' : ` placed on a ${placement}`} yet (no expectation for it): stopped before injecting anything`,
    );
  }
}

/** The SUT has no node for the placement asked (the lab has no bystander): refused before anything is injected. */
export class PlacementRefusedError extends Error {
  override name = 'PlacementRefusedError';
}
