import { inject } from '../../faults/fault.js';
import { FaultJournal } from '../../faults/journal.js';
import { driveModeOf } from '../../faults/sut-fault-plans.js';
import { FAULT_SCENARIOS, type FaultScenario, type FaultTarget } from '../fault-catalog.js';
import { FaultNotSupportedError } from '../fault-not-supported.js';
import { stepGate } from '../step-gate.js';
import type { Arranged } from './arrange.js';
import type { ScenarioContext } from './scenario-context.js';

/** The fault in force and what it was built for (observe and heal use both). */
export interface Acted {
  readonly scenario: FaultScenario;
  readonly faultTarget: FaultTarget;
}

/** Act: the fault built for the chosen node, injected and verified in force. Sets `held.fault`. */
export async function act(ctx: ScenarioContext, arranged: Arranged): Promise<Acted> {
  const { sut, node, role, expectation } = arranged;
  const { kind, facts } = ctx;
  if (!expectation) throw new FaultNotSupportedError(sut.name, kind, ctx.placement);
  const faultTarget: FaultTarget = {
    sut,
    node,
    peers: sut.nodes.filter((n) => n !== node),
    expectation,
    role,
    // The configured mode, else what the driver's drive can do (error, or hang where it only hangs).
    driveMode: driveModeOf(sut.driveCommands(node.name), ctx.config.scenarios['drive-offline']?.driveMode),
  };
  const scenario = FAULT_SCENARIOS[kind];
  await stepGate(ctx.step, scenario.explain(faultTarget), { signal: ctx.signal, view: ctx.view?.page });
  ctx.mark(`act: ${scenario.title(faultTarget)} on ${node.name}`);
  const plan = await scenario.plan(faultTarget);
  try {
    ctx.held.fault = await inject(plan, {
      journal: new FaultJournal(),
      signal: ctx.within(60_000),
      onEvent: (phase, detail) => {
        ctx.timeline.record({
          kind: 'fault',
          phase,
          fault: kind,
          node: node.name,
          ...(detail && { detail }),
        });
        // Gone before its heal (a stopped agent started again): the fault did not hold.
        if (phase === 'lapsed') facts.faultLapsed ??= detail ?? 'the fault was found gone before its heal';
      },
    });
    facts.faultVerified = true;
  } catch (err) {
    facts.faultVerified = false;
    facts.faultError = (err as Error).message;
    throw err;
  }
  return { scenario, faultTarget };
}
