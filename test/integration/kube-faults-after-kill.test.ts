import { expect } from 'chai';
import { AUTO_REVERT_MARGIN_MS } from '../../lib/faults/hand-fault-plans.js';
import { defaultStateDir, FaultJournal } from '../../lib/faults/journal.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { findLeftovers } from '../../lib/faults/leftovers.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { startCli, type Finished } from '../support/cli-process.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { waitFor } from '../support/wait-for.js';

const log = (line: string): void => console.log(`      ${line}`);

/**
 * The gluster driver's faults on a kube-lab worker, through `pxchaos inject --target kind`, when the
 * harness is killed with SIGKILL while the fault is in force (no signal handler runs): the node-side
 * timer reverts it within its bound, and `pxchaos heal` reverts it at once.
 */
describe('gluster faults on the kube lab after kill -9 of the harness (inject --target kind)', function () {
  this.timeout(900_000);
  let up: KubeLabUp;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let node: DockerExecNode;
  const run = (args: string[]): Promise<Finished> => startCli(args, env).done;
  const sh = async (script: string): Promise<{ code: number; out: string }> => {
    const r = await node.exec(['sh', '-c', script], { check: false, timeoutMs: 20_000 });
    return { code: r.exitCode, out: `${r.stdout}${r.stderr}`.trim() };
  };
  /** The node's brick processes stopped (SIGSTOP: state T), as the agent fault leaves them. */
  const bricksFrozen = async (): Promise<boolean> =>
    (await sh("ps -C glusterfsd -o stat= | grep -c '^T'")).out !== '0';
  const driveHealthy = async (): Promise<boolean> => (await sh('pxkube-brick status')).code === 0;

  /** Injects for `forText`, waits until it is in force, then SIGKILLs the harness. */
  const injectThenKill = async (
    fault: 'partition' | 'agent-down' | 'drive-offline',
    forText: string,
  ): Promise<void> => {
    const proc = startCli(['inject', fault, '--target', 'kind', '--node', node.name, '--for', forText], env);
    const inForce = (): boolean => {
      if (proc.child.exitCode !== null) throw new Error(`inject exited ${proc.child.exitCode}`);
      return proc.output().includes(' in force ');
    };
    await waitFor('the fault in force', inForce, 120_000).catch((err: Error) => {
      proc.child.kill('SIGKILL');
      throw new Error(`${err.message}; output: ${proc.output()}`);
    });
    proc.child.kill('SIGKILL');
    const end = await proc.done;
    expect(end.signal).to.equal('SIGKILL');
  };
  const healNow = async (kind: string): Promise<void> => {
    const first = await run(['heal']);
    expect(first.code, first.stdout + first.stderr).to.equal(0);
    expect(first.stdout).to.match(new RegExp(`^healed: ${kind} on ${node.name}`, 'm'));
    const second = await run(['heal']);
    expect(second.stdout).to.match(/^nothing to heal/);
    expect(await new FaultJournal(stateDir).openEntries()).to.deep.equal([]);
  };

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    const worker = up.layout.workers.at(-1)?.name;
    if (!worker) throw new Error('kube lab without workers');
    node = new DockerExecNode(worker, worker);
    // The default state dir: it holds the kube lab's kubeconfig, and the journal these faults go to.
    stateDir = defaultStateDir();
    env = { PXCHAOS_CONFIG: '', PXCHAOS_KIND_CLUSTER_NAME: SHARED_KUBE_LAB };
  });
  after(async () => {
    if (node) await run(['heal']).catch(() => undefined);
  });

  it('partition (iptables): the node-side timer removes the rules within its bound; heal at once', async () => {
    const forMs = 5_000;
    await injectThenKill('partition', '5s');
    expect(await findLeftovers(node), 'rules in force after the kill').not.to.deep.equal([]);
    const killedAt = performance.now();
    await waitFor(
      'the timer removed the rules',
      async () => (await findLeftovers(node)).length === 0,
      forMs + AUTO_REVERT_MARGIN_MS + 20_000,
      500,
    );
    log(
      `rules removed by the node-side timer ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
    await healNow('partition');

    await injectThenKill('partition', '120s');
    expect(await findLeftovers(node)).not.to.deep.equal([]);
    await healNow('partition');
    expect(await findLeftovers(node), 'leftovers after heal').to.deep.equal([]);
  });

  it('agent-down (bricks frozen): the node-side timer thaws them within its bound', async () => {
    const forMs = 5_000;
    await injectThenKill('agent-down', '5s');
    expect(await bricksFrozen(), 'bricks frozen after the kill').to.equal(true);
    const killedAt = performance.now();
    await waitFor(
      'the timer thawed the bricks',
      async () => !(await bricksFrozen()),
      forMs + AUTO_REVERT_MARGIN_MS + 20_000,
      500,
    );
    log(
      `thawed by the node-side timer ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
    // Its owner died: the journal still holds it; heal closes it (a no-op on the node).
    await healNow('agent-down');
  });

  it('agent-down: `pxchaos heal` thaws the bricks at once; a second heal is a no-op', async () => {
    await injectThenKill('agent-down', '120s');
    expect(await bricksFrozen()).to.equal(true);
    await healNow('agent-down');
    expect(await bricksFrozen(), 'bricks frozen after heal').to.equal(false);
  });

  it('drive-offline (FUSE passthrough killed): `pxchaos heal` brings the drive back at once', async () => {
    await injectThenKill('drive-offline', '120s');
    expect(await driveHealthy(), 'drive healthy after the kill').to.equal(false);
    await healNow('drive-offline');
    expect(await driveHealthy(), 'drive healthy after heal').to.equal(true);
  });
});
