import { expect } from 'chai';
import { docker, dockerOk } from '../../../lib/docker/docker-cli.js';
import {
  CommandFailedError,
  CommandTimeoutError,
  ConnectionLostError,
} from '../../../lib/nodes/exec-errors.js';
import { ContainerGoneError, DockerExecNode } from '../../../lib/nodes/docker-exec-node.js';
import { resolveDockerNode, resolveDockerNodes } from '../../../lib/nodes/docker-label-nodes.js';
import { UsageError } from '../../../lib/errors.js';
import { requireDocker } from '../../support/require-docker.js';
import { startTestLab, type TestLab } from './test-lab.js';

async function waitFor(what: string, check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not within ${withinMs}ms: ${what}`);
}

describe('DockerExecNode (real containers)', function () {
  let lab: TestLab;
  let node: DockerExecNode;

  before(async function () {
    await requireDocker(this);
    this.timeout(600_000); // a first lab image build takes minutes
    lab = await startTestLab(['n1', 'n2']);
    node = lab.node('n1');
  });
  after(async () => lab?.remove());

  it('returns stdout, stderr, exit status and duration as a value', async () => {
    const r = await node.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], { check: false });
    expect(r).to.include({ node: 'n1', stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    expect(r.durationMs).to.be.greaterThan(0);
    const ok = await node.exec(['cat'], { stdin: 'from stdin' });
    expect(ok.stdout).to.equal('from stdin');
  });

  it('throws CommandFailedError for a non-zero exit, carrying the result', async () => {
    const err = await node.exec(['sh', '-c', 'echo boom >&2; exit 7']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CommandFailedError);
    expect((err as CommandFailedError).result.exitCode).to.equal(7);
    expect((err as Error).message).to.include('boom');
  });

  it('enforces the deadline on the node too', async () => {
    const err = await node.exec(['sleep', '31'], { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CommandTimeoutError);
    await waitFor(
      'the sleep is gone from the node',
      async () => (await node.exec(['pgrep', '-f', '[s]leep 31'], { check: false })).exitCode === 1,
      10_000,
    );
  });

  it('reports a paused container as connection lost, a removed one as gone', async () => {
    const n2 = lab.node('n2');
    await dockerOk(['pause', lab.containers.get('n2')!]);
    try {
      const err = await n2.exec(['true']).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConnectionLostError).and.not.instanceOf(ContainerGoneError);
    } finally {
      await dockerOk(['unpause', lab.containers.get('n2')!]);
    }
    const running = n2.exec(['sleep', '30']).catch((e: unknown) => e);
    await waitFor(
      'sleep started',
      async () =>
        (await n2.exec(['pgrep', '-x', 'sleep'], { check: false })).stdout.trim().split('\n').length > 1,
      10_000,
    );
    await docker(['rm', '-f', lab.containers.get('n2')!]);
    const lost = await running;
    expect(lost).to.be.instanceOf(ConnectionLostError);
    expect(await n2.exec(['true']).catch((e: unknown) => e)).to.be.instanceOf(ContainerGoneError);
  });

  it('resolves nodes by their pxchaos.node label within a lab', async () => {
    const nodes = await resolveDockerNodes({ lab: lab.lab });
    expect([...nodes.keys()]).to.deep.equal(['n1']);
    expect((await resolveDockerNode('n1', { lab: lab.lab })).address).to.deep.equal({
      kind: 'docker',
      container: lab.containers.get('n1'),
    });
    const err = await resolveDockerNode('n9', { lab: lab.lab }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.include('known nodes: n1');
  });
});
