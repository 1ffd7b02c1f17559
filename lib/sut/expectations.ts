/**
 * What a SUT is documented (or measured) to do under each fault, as data. Every figure has a
 * source. Config thresholds override these values (see config/).
 */
export interface Expectation {
  /** The fault must be recovered from within this time (RTO: fault injected → first successful write after the last failure). */
  readonly recoveryWithinMs: number;
  /** Whether failed (definitely rejected) writes are acceptable during the fault. */
  readonly failedWritesAllowed: boolean;
  /** Whether the primary is expected to move to another node. */
  readonly primaryMoves: boolean | 'either';
  /** How long the scenario keeps the fault in place before healing. */
  readonly holdMs: number;
  /**
   * Service can only return once the fault is healed (nothing to fail over to: the local driver):
   * the fault is healed when held for `holdMs`, without waiting for writes to come back first, and
   * the RTO includes the heal.
   */
  readonly recoversAfterHeal?: boolean;
  /** How long the SUT may take to settle (healthy again) after the heal; default 3 min. */
  readonly settleWithinMs?: number;
  /** Where each figure comes from. */
  readonly source: string;
  /** Free-form notes shown in reports. */
  readonly notes?: string;
}

/** One per scenario: config-schema.ts's SCENARIO_NAMES lists the same (fault-catalog.ts checks it). */
export type FaultKind =
  'network-partition' | 'agent-restart-within-grace' | 'agent-down-past-grace' | 'drive-offline';

/**
 * A SUT's expectations: one per fault it supports. A fault without one is not run on that SUT: the
 * scenario stops before injecting it, saying so (a storage driver gains faults one by one).
 */
export type Expectations = Readonly<Partial<Record<FaultKind, Expectation>>>;

/** A table that covers every fault (the lab's). */
export type FullExpectations = Readonly<Record<FaultKind, Expectation>>;

/**
 * What a SUT does when the fault hits a replica's or a bystander's node (lib/sut/placement.ts), per
 * placement, in the same shape as its primary table (`Sut.expectations`). A placement without an
 * expectation for a fault stops that scenario before the injection, saying so.
 */
export type PlacedExpectations = Readonly<Partial<Record<'replica' | 'bystander', Expectations>>>;
