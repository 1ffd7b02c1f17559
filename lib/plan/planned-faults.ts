import { SCENARIO_NAMES, type ScenarioName } from '../config/config-schema.js';
import { timerMarker } from '../faults/auto-revert-timer.js';
import { newFaultId } from '../faults/fault.js';
import { driveModeOf, type DriveMode } from '../faults/sut-fault-plans.js';
import { faultSteps, type NodeStep } from '../faults/fault-steps.js';
import { FAULT_SCENARIOS } from '../scenario/fault-catalog.js';
import type { SutFaultCommands } from '../sut/sut.js';
import { placeholderAddress, placeholderNode } from './placeholder-node.js';

/** Which node a step runs on is decided at run time: the plan names the roles. */
export const PRIMARY_NODE = '<primary node>';
export const PEER_NODE = '<peer node>';
/** fault-catalog.ts: the timer fires this long after max(hold, recoveryWithin) of the SUT's expectation. */
const TIMER_SLEEP = '<seconds: max(hold, recoveryWithin) + 120>';

export interface PlannedFault {
  readonly scenario: ScenarioName;
  readonly description: string;
  readonly steps: readonly NodeStep[];
}

/**
 * Every scenario's fault on the primary, built by the scenario catalog as a run builds it (same
 * commands, same checks, the partition verified from a peer on the SUT's partitionProbePort), on
 * placeholder nodes: nothing runs, addresses are shown as placeholders.
 */
export async function plannedFaults(
  sut: SutFaultCommands,
  configuredDriveMode: DriveMode | undefined,
): Promise<PlannedFault[]> {
  const node = placeholderNode(PRIMARY_NODE);
  const driveMode = driveModeOf(sut.driveCommands(node.name), configuredDriveMode);
  const peers = [placeholderNode(PEER_NODE)];
  return Promise.all(
    SCENARIO_NAMES.map(async (scenario) => {
      // The timer's bound depends on the expectation, which a run reads: the plan shows TIMER_SLEEP.
      const plan = FAULT_SCENARIOS[scenario].build({ sut, node, peers, driveMode, maxDurationMs: 0 });
      const prepared = await plan.prepare(placeholderAddress);
      const timer = { marker: timerMarker(newFaultId(plan.kind)), sleep: TIMER_SLEEP };
      return { scenario, description: plan.description, steps: faultSteps(plan, prepared, timer) };
    }),
  );
}
