import type { ScenarioName } from '../config/config-schema.js';
import type { FaultPlan } from '../faults/fault-plan.js';
import type { NodeAccess } from '../nodes/node-access.js';
import type { Expectation, FaultKind } from '../sut/expectations.js';
import type { Sut, SutFaultCommands } from '../sut/sut.js';
import { agentCrashPlan, driveOfflinePlan, sutPartitionPlan } from '../faults/sut-fault-plans.js';
import { Until, type Condition } from './until.js';

export interface FaultTarget {
  readonly sut: Sut;
  /** The node the fault is applied to: the one serving writes, or a replica's or a bystander's (`--placement`). */
  readonly node: NodeAccess;
  /** What that node is: 'primary', or the SUT's word for it ('synchronous standby', 'Gluster brick of …'). */
  readonly role: string;
  /** Other nodes, used to verify a partition from outside. */
  readonly peers: readonly NodeAccess[];
  readonly expectation: Expectation;
  readonly driveMode: 'hang' | 'error';
}

/**
 * What building a scenario's fault takes: a run's FaultTarget, or `pxchaos plan`'s placeholder nodes
 * with the driver's commands. Both build it with the same `build`.
 */
export interface FaultSite {
  readonly sut: SutFaultCommands;
  readonly node: NodeAccess;
  /** Other nodes; the first verifies a partition from outside. */
  readonly peers: readonly NodeAccess[];
  readonly driveMode: 'hang' | 'error';
  /** Bound of the node-side auto-revert timer. */
  readonly maxDurationMs: number;
}

/** One fault as a scenario uses it: how to build it, what to say about it, when to heal it. */
export interface FaultScenario {
  readonly kind: FaultKind;
  title(target: FaultTarget): string;
  explain(target: FaultTarget): string;
  /** The fault, inert: building it runs no node command (inject() resolves what needs the nodes). */
  build(site: FaultSite): FaultPlan;
  /** build() at the target, its timer bound from the expectation. */
  plan(target: FaultTarget): FaultPlan | Promise<FaultPlan>;
  /** When the fault may be healed; the expectation's deadline bounds it in any case. */
  healWhen(target: FaultTarget): Condition;
}

/** Margin past the expected hold before the node-side timer reverts the fault on its own. */
const TIMER_MARGIN_MS = 120_000;

const maxDuration = (e: Expectation): number => Math.max(e.holdMs, e.recoveryWithinMs) + TIMER_MARGIN_MS;

/**
 * Held for the expected time and, where writes are expected to fail, until they have come back:
 * where none may fail there is no failure to recover from, only the hold; where service can only
 * return after the heal, waiting for it would only hold the fault to the deadline.
 */
const heldThenRecovered = (t: FaultTarget): Condition =>
  t.expectation.failedWritesAllowed && !t.expectation.recoversAfterHeal
    ? Until.all(Until.heldFor(t.expectation.holdMs), Until.writesRecovered())
    : Until.heldFor(t.expectation.holdMs);

const onPrimary = (t: FaultTarget): boolean => t.role === 'primary';

/** What the expectation says happens to the primary, for a fault placed off it. */
const primaryOutcome = (t: FaultTarget): string =>
  t.expectation.primaryMoves === true
    ? 'the primary should move'
    : t.expectation.primaryMoves === false
      ? 'the primary should stay where it is'
      : 'the primary may move or stay';

const agentCrash =
  (kind: FaultKind) =>
  (s: FaultSite): FaultPlan =>
    agentCrashPlan(kind, s.sut, s.node, s.maxDurationMs);

type FaultScenarioDefinition = Omit<FaultScenario, 'plan'>;

/** A scenario's fault at a run's target: the site is the target, the timer's bound past the expectation. */
const atTarget = (scenario: FaultScenarioDefinition): FaultScenario => ({
  ...scenario,
  plan: (t) =>
    scenario.build({
      sut: t.sut,
      node: t.node,
      peers: t.peers,
      driveMode: t.driveMode,
      maxDurationMs: maxDuration(t.expectation),
    }),
});

export const FAULT_SCENARIOS: Readonly<Record<FaultKind, FaultScenario>> = {
  'network-partition': atTarget({
    kind: 'network-partition',
    title: (t) => `Network partition of the ${onPrimary(t) ? 'primary' : t.role} node`,
    explain: (t) =>
      onPrimary(t)
        ? `Cut ${t.node.name} (the primary) off the network with iptables, SSH excepted; the SUT should move the primary to a replica.`
        : `Cut ${t.node.name} (${t.role}, not the primary) off the network with iptables, SSH excepted; ${primaryOutcome(t)}.`,
    // Verified from a peer on the port the SUT declares, as `pxchaos inject` and `pxchaos plan` do.
    build: (s) =>
      sutPartitionPlan(s.sut, s.node, {
        maxDurationMs: s.maxDurationMs,
        ...(s.peers[0] && { verifier: s.peers[0] }),
      }),
    healWhen: heldThenRecovered,
  }),
  'agent-restart-within-grace': atTarget({
    kind: 'agent-restart-within-grace',
    title: (t) =>
      `Agent killed and restarted within its grace window${onPrimary(t) ? '' : ` on the ${t.role} node`}`,
    explain: (t) =>
      `Kill the ${t.sut.name} agent on ${t.node.name} (${onPrimary(t) ? 'the primary' : t.role}) and start it again after ${t.expectation.holdMs / 1000}s, inside its grace window: writes may stall but must not fail.`,
    build: agentCrash('agent-restart-within-grace'),
    healWhen: (t) => Until.heldFor(t.expectation.holdMs),
  }),
  'agent-down-past-grace': atTarget({
    kind: 'agent-down-past-grace',
    title: (t) => `Agent down past its grace window${onPrimary(t) ? '' : ` on the ${t.role} node`}`,
    explain: (t) =>
      onPrimary(t)
        ? `Crash the ${t.sut.name} agent on ${t.node.name} and keep it down past its grace window: the SUT should fail over to a replica with every acknowledged write.`
        : `Crash the ${t.sut.name} agent on ${t.node.name} (${t.role}, not the primary) and keep it down past its grace window: ${primaryOutcome(t)}, with every acknowledged write.`,
    build: agentCrash('agent-down-past-grace'),
    healWhen: heldThenRecovered,
  }),
  'drive-offline': atTarget({
    kind: 'drive-offline',
    title: (t) => `Data drive offline on the ${onPrimary(t) ? 'primary' : t.role} node`,
    explain: (t) =>
      `Take the data drive of ${t.node.name}${onPrimary(t) ? '' : ` (${t.role}, not the primary)`} offline (${t.driveMode === 'hang' ? 'I/O hangs' : 'I/O fails'}): ${onPrimary(t) ? 'the primary should move to a healthy replica' : primaryOutcome(t)}.`,
    build: (s) => driveOfflinePlan('drive-offline', s.sut, s.node, s.driveMode, s.maxDurationMs),
    healWhen: heldThenRecovered,
  }),
};

// The config's scenario names and the fault kinds are one list: the compiler insists both ways.
const _oneList: [FaultKind] extends [ScenarioName]
  ? [ScenarioName] extends [FaultKind]
    ? true
    : never
  : never = true;
