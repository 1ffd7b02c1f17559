import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Expectation } from '../../lib/sut/expectations.js';
import type { NodeRoles } from '../../lib/sut/placement.js';
import type { AgentCommands, DriveCommands, PgEndpoint, Sut, SutHealth } from '../../lib/sut/sut.js';
import { scenarioContext, type ScenarioContext } from '../../lib/scenario/flow/scenario-context.js';
import type { TargetLease } from '../../lib/scenario/target-session.js';
import type { FaultKind } from '../../lib/sut/expectations.js';
import type { Placement } from '../../lib/sut/placement.js';
import { LocalNodeAccess } from './local-node-access.js';
import { configSchema } from '../../lib/pxchaos-config.js';

/** What a fake SUT answers; a method left out throws "not faked" (a phase that should not call it). */
export interface FakeSutAnswers {
  readonly expectation?: Expectation;
  readonly endpoint?: () => Promise<PgEndpoint>;
  readonly primary?: () => Promise<string>;
  readonly roles?: () => Promise<NodeRoles>;
  readonly health?: () => Promise<SutHealth>;
  readonly settle?: (signal: AbortSignal) => Promise<SutHealth>;
  readonly loadPgbench?: (scale: number) => Promise<{ rows: number }>;
  /** Default n1..n3 on this host; [] for a phase that looks at every node (leftovers). */
  readonly nodes?: readonly string[];
}

const notFaked = (what: string) => (): Promise<never> => Promise.reject(new Error(`${what}: not faked`));
/** Agent and drive "commands" that run on this host: true = running/healthy. */
const HEALTHY: AgentCommands & DriveCommands = {
  kill: ['true'],
  stop: ['true'],
  start: ['true'],
  status: ['true'],
  hang: ['true'],
  error: ['true'],
  restore: ['true'],
};

export const EXPECTATION: Expectation = {
  recoveryWithinMs: 200,
  failedWritesAllowed: true,
  primaryMoves: 'either',
  holdMs: 200,
  settleWithinMs: 1000,
  source: 'a unit test',
};

/** A SUT on this host's nodes n1..n3 (commands run locally), answering as told. */
export function fakeSut(answers: FakeSutAnswers = {}): Sut {
  const expectation = answers.expectation ?? EXPECTATION;
  return {
    name: 'patroni',
    partitionProbePort: 5432,
    nodes: (answers.nodes ?? ['n1', 'n2', 'n3']).map((n) => new LocalNodeAccess(n)),
    expectations: {
      'network-partition': expectation,
      'agent-restart-within-grace': expectation,
      'agent-down-past-grace': expectation,
      'drive-offline': expectation,
    },
    placedExpectations: {},
    writeEndpoint: answers.endpoint ?? notFaked('writeEndpoint'),
    loadPgbench: answers.loadPgbench ?? notFaked('loadPgbench'),
    primaryNode: answers.primary ?? notFaked('primaryNode'),
    nodeRoles: answers.roles ?? notFaked('nodeRoles'),
    health: answers.health ?? notFaked('health'),
    settle: answers.settle ?? notFaked('settle'),
    agentCommands: () => HEALTHY,
    driveCommands: () => HEALTHY,
    watch: () => undefined,
    close: () => Promise.resolve(),
  };
}

/** A scenario context whose report dir is a new temp dir and whose target is `sut`, leased once. */
/**
 * A scenario context whose target lease gives `sut`. `rearrangeTo`: the lease counts as reused (an
 * earlier scenario ran on it) and re-arranging it gives that SUT.
 */
export async function fakeContext(
  sut: Sut,
  kind: FaultKind = 'network-partition',
  placement: Placement = 'primary',
  rearrangeTo?: Sut,
  repetition?: number,
): Promise<ScenarioContext & { readonly released: () => number; readonly rearranged: () => number }> {
  const reportDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-flow-'));
  const config = configSchema.parse({
    reportDir,
    workload: { pgbenchScale: 1, pgbench: { enabled: false } },
  });
  let released = 0;
  let rearranged = 0;
  const lease = (leased: Sut, reused: boolean): TargetLease => ({
    target: { name: 'lab', sut: leased, close: () => Promise.resolve() },
    notes: [],
    reused,
    release: () => {
      released++;
      return Promise.resolve();
    },
    rearrange: () => {
      rearranged++;
      return Promise.resolve(lease(rearrangeTo ?? leased, false));
    },
  });
  const ctx = scenarioContext(
    kind,
    placement,
    { config, step: false, signal: new AbortController().signal },
    { lease: () => Promise.resolve(lease(sut, rearrangeTo !== undefined)), repetition },
  );
  return Object.assign(ctx, { released: () => released, rearranged: () => rearranged });
}
