import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandPlan, KEPT_DOWN_EVERY_MS } from '../../../lib/faults/command-plan.js';
import { inject, type FaultPhase } from '../../../lib/faults/fault.js';
import type { FaultPlan } from '../../../lib/faults/fault-plan.js';
import { FaultJournal } from '../../../lib/faults/journal.js';
import { agentCrashCommands } from '../../../lib/faults/sut-fault-plans.js';
import type { ExecOptions, ExecResult } from '../../../lib/nodes/exec-result.js';
import { faultCommand } from '../../support/fault-command.js';
import type { NodeAccess, NodeAddress } from '../../../lib/nodes/node-access.js';
import { verdictsFromRecord } from '../../../lib/scenario/verdicts-from-record.js';
import { scenarioVerdicts } from '../../../lib/scenario/scenario-verdicts.js';
import { portworxAgentCommands } from '../../../lib/sut/portworx/portworx-agent-stop.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * A node whose agent `agent-stop` stops and `agent-start` starts; `agent-status` exits 0 while it
 * runs. Something else on the node may start it again (`up = true`: PX's monitor restarting PX
 * after a plain `systemctl stop`). Everything else (the auto-revert timer) exits 0.
 */
class AgentNode implements NodeAccess {
  readonly address: NodeAddress = { kind: 'docker', container: 'n1' };
  up = true;
  /** The status command cannot be run (the node unreachable) while set. */
  unreachable = false;
  readonly ran: string[] = [];
  readonly name = 'n1';

  exec(argv: readonly string[], _options?: ExecOptions): Promise<ExecResult> {
    const cmd = faultCommand(argv).join(' ');
    this.ran.push(cmd);
    if (cmd === 'agent-status' && this.unreachable) return Promise.reject(new Error('connection lost'));
    if (cmd === 'agent-stop') this.up = false;
    if (cmd === 'agent-start') this.up = true;
    const exitCode = cmd === 'agent-status' && !this.up ? 3 : 0;
    return Promise.resolve({ node: this.name, argv, stdout: '', stderr: '', exitCode, durationMs: 1 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const COMMANDS = { inject: ['agent-stop'], revert: ['agent-start'], status: ['agent-status'] };

/** commandPlan's own verification, its held checks run every 20 ms instead of every 5 s. */
function fastPlan(node: AgentNode, keptDown: boolean): FaultPlan {
  const plan = commandPlan(
    'agent-down-past-grace',
    node,
    { ...COMMANDS, component: 'agent', keptDown },
    60_000,
  );
  return {
    ...plan,
    prepare: async (addressOf, signal) => {
      const p = await plan.prepare(addressOf, signal);
      const v = p.verification!;
      return { ...p, verification: { ...v, ...(v.held && { held: { ...v.held, everyMs: 20 } }) } };
    },
  };
}

describe('a fault that must hold for its whole hold (a stopped agent kept down)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pxchaos-kept-down-'));
  const run = async (
    node: AgentNode,
    keptDown: boolean,
    during: (events: readonly [FaultPhase, string | undefined][]) => Promise<void>,
  ) => {
    const events: [FaultPhase, string | undefined][] = [];
    const fault = await inject(fastPlan(node, keptDown), {
      journal: new FaultJournal(dir),
      healOnSignals: false,
      onEvent: (phase, detail) => events.push([phase, detail]),
    });
    await during(events);
    await fault.heal();
    await sleep(100);
    return events;
  };

  it('kept down through the hold: no lapse, and the heal bringing it back is no lapse either', async () => {
    const node = new AgentNode();
    const events = await run(node, true, () => sleep(200));
    expect(events.map(([p]) => p)).to.deep.equal([
      'journaled',
      'injected',
      'verified',
      'healing',
      'healed',
      'heal-verified',
    ]);
    expect(node.ran.filter((c) => c === 'agent-status').length).to.be.greaterThan(4);
  });

  it('up again before the heal: one lapse, saying when and what showed it; the heal still runs', async () => {
    const node = new AgentNode();
    const events = await run(node, true, async (seen) => {
      await sleep(100);
      node.up = true;
      await waitFor('the lapse', () => seen.some(([p]) => p === 'lapsed'), 5_000);
      await sleep(100);
    });
    const lapses = events.filter(([p]) => p === 'lapsed');
    expect(lapses).to.have.length(1);
    expect(lapses[0]![1]).to.match(
      /^the agent was up again on n1 \S+ into the hold: 'agent-status' exited 0 on n1$/,
    );
    expect(events.map(([p]) => p).slice(-3)).to.deep.equal(['healing', 'healed', 'heal-verified']);
  });

  it('a status that cannot be run is no evidence: no lapse', async () => {
    const node = new AgentNode();
    const events = await run(node, true, async () => {
      node.unreachable = true;
      await sleep(150);
      node.unreachable = false;
    });
    expect(events.filter(([p]) => p === 'lapsed')).to.deep.equal([]);
  });

  it('a fault not declared kept down is checked once, as before', async () => {
    const node = new AgentNode();
    const events = await run(node, false, async () => {
      node.up = true;
      await sleep(150);
    });
    expect(events.filter(([p]) => p === 'lapsed')).to.deep.equal([]);
    expect(node.ran.filter((c) => c === 'agent-status')).to.have.length(2);
  });

  it('Portworx: every stop but the crash is kept down, checked every 5 s', () => {
    for (const method of ['label+systemctl', 'systemctl', 'label'] as const)
      for (const kind of ['agent-restart-within-grace', 'agent-down-past-grace']) {
        const c = agentCrashCommands(kind, portworxAgentCommands(method, 'n1'));
        expect(c.keptDown, `${method} ${kind}`).to.equal(true);
      }
    const pkill = portworxAgentCommands('pkill', 'n1');
    expect(agentCrashCommands('agent-restart-within-grace', pkill).keptDown).to.equal(undefined);
    expect(agentCrashCommands('agent-down-past-grace', pkill).keptDown).to.equal(true);
    expect(KEPT_DOWN_EVERY_MS).to.equal(5_000);
  });

  it('the lapse fails "fault took hold", from the saved record too', () => {
    const facts = {
      kind: 'agent-down-past-grace' as const,
      target: 'vm',
      sut: 'portworx',
      expectation: {
        recoveryWithinMs: 1,
        failedWritesAllowed: true,
        primaryMoves: true,
        holdMs: 1,
        source: 't',
      },
      faultVerified: true,
      faultLapsed: "the agent was up again on n1 42s into the hold: 'sh -c …' exited 0 on n1",
    };
    const check = scenarioVerdicts(facts, { fault_node: 'n1' }).find((c) => c.key === 'faultTookHold')!;
    expect(check.verdict.passed).to.equal(false);
    expect(check.verdict.message).to.equal(
      `expected in force for the whole hold, measured verified in force on n1, then gone before the heal: ${facts.faultLapsed}`,
    );
    const judged = verdictsFromRecord({
      meta: { scenario: 'agent-down-past-grace', target: 'vm', sut: 'portworx', placement: 'primary' },
      events: [],
      measurements: { flow: { facts, durationMs: 1 } },
    } as never);
    expect(judged!.checks.find((c) => c.key === 'faultTookHold')!.verdict.passed).to.equal(false);
  });
});
