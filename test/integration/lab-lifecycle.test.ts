import { expect } from 'chai';
import pg from 'pg';
import { docker } from '../../lib/docker/docker-cli.js';
import { labCredentials } from '../../lib/lab/lab-inspect.js';
import { labDown } from '../../lib/lab/lab-down.js';
import { labStatus } from '../../lib/lab/lab-status.js';
import { labUp, type Lab } from '../../lib/lab/lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { openLabSut } from '../../lib/lab/lab-sut.js';
import type { PatroniSut } from '../../lib/sut/patroni/patroni-sut.js';
import { requireDocker } from '../support/require-docker.js';
import { driveErrorArgv } from '../support/drive-error.js';

const LAB = 'pxchaos-test-lab';

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function serverNode(sut: PatroniSut): Promise<{ node: string; inRecovery: boolean }> {
  const ep = await sut.writeEndpoint();
  const c = new pg.Client({ ...ep, connectionTimeoutMillis: 3000, query_timeout: 5000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    // The node name is the Patroni cluster member name, Postgres' cluster_name is the scope: use the
    // hostname, which the lab sets to the node name.
    const r = await c.query<{ host: string; rec: boolean }>(
      "select pg_read_file('/etc/hostname') as host, pg_is_in_recovery() as rec",
    );
    const row = r.rows[0];
    if (!row) throw new Error('no row');
    return { node: row.host.trim(), inRecovery: row.rec };
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe('lab (real containers): lifecycle, status, proxy, node commands', function () {
  this.timeout(360_000);
  let lab: Lab;
  let sut: PatroniSut | undefined;

  before(async function () {
    await requireDocker(this);
    lab = await labUp({ name: LAB });
  });

  after(async () => {
    await sut?.close();
  });

  it('comes up with a running leader and a synchronous standby on distinct nodes', async () => {
    expect(lab.nodes.map((n) => n.name)).to.deep.equal(['n1', 'n2', 'n3']);
    expect(lab.leader).to.match(/^n[123]$/);
    expect(lab.syncStandby).to.match(/^n[123]$/);
    expect(lab.syncStandby).to.not.equal(lab.leader);
    const ps = await docker([
      'ps',
      '--filter',
      `label=pxchaos.lab=${LAB}`,
      '--format',
      '{{.Label "pxchaos.node"}}',
    ]);
    expect(ps.stdout.trim().split('\n').sort()).to.deep.equal(['n1', 'n2', 'n3']);
  });

  it('a second up reuses the healthy lab', async () => {
    const again = await labUp({ name: LAB });
    expect(again.reused).to.equal(true);
    expect(again.nodes.map((n) => n.container)).to.deep.equal(lab.nodes.map((n) => n.container));
    console.log(`      second lab up: ${again.durationMs}ms`);
  });

  it('status is JSON-serializable, names roles and timeline, and holds no password', async () => {
    const status = await labStatus(LAB);
    const json = JSON.stringify(status);
    expect(JSON.parse(json)).to.deep.equal(status);
    expect(status.healthy, status.problems.join('; ')).to.equal(true);
    expect(status.nodes.filter((n) => n.role === 'leader')).to.have.length(1);
    expect(status.nodes.filter((n) => n.role === 'sync_standby')).to.have.length(1);
    expect(status.timeline).to.be.a('number');
    expect(status.patroni?.ttl).to.equal(20);
    const creds = await labCredentials(LAB);
    for (const secret of Object.values(creds)) expect(json).to.not.include(secret);
  });

  it('the write endpoint reaches the leader and follows it through a switchover', async () => {
    sut = await openLabSut(LAB);
    const before = await serverNode(sut);
    const leader = await sut.primaryNode();
    expect(before).to.deep.equal({ node: leader, inRecovery: false });
    const view = await sut.clusterView();
    const candidate = view?.members.find((m) => m.role === 'sync_standby')?.name;
    expect(candidate, 'a sync standby to switch over to').to.be.a('string');
    await sut.switchover(candidate);
    const after = await until('the proxy to reach the new leader', 60_000, async () => {
      const s = await serverNode(sut!);
      return s.node === candidate && !s.inRecovery ? s : undefined;
    });
    expect(after.node).to.equal(candidate);
    await sut.settle(AbortSignal.timeout(90_000));
  });

  it('pxlab-agent kill stops only Patroni and start brings it back (on a replica)', async () => {
    const status = await labStatus(LAB);
    const replica = status.nodes.find((n) => n.role === 'replica');
    if (!replica) throw new Error('no async replica');
    const node = new DockerExecNode(replica.name, replica.container);
    const agent = sut!.agentCommands(replica.name);
    try {
      await node.exec(agent.kill);
      await node.exec(agent.kill); // idempotent
      expect((await node.exec(agent.status, { check: false })).exitCode).to.equal(1);
      // Postgres keeps running without Patroni, as after a real agent crash.
      const pgUp = await node.exec(['pg_isready', '-h', '/var/run/postgresql'], { check: false });
      expect(pgUp.exitCode).to.equal(0);
      await node.exec(agent.start);
      await node.exec(agent.start); // idempotent
      expect((await node.exec(agent.status)).stdout.trim()).to.equal('running');
    } finally {
      await node.exec(agent.start).catch(() => undefined);
    }
    await sut!.settle(AbortSignal.timeout(90_000));
  });

  it('pxlab-drive hang blocks I/O, error fails it, restore brings the drive back (on a replica)', async () => {
    const status = await labStatus(LAB);
    const replica = status.nodes.find((n) => n.role === 'replica');
    if (!replica) throw new Error('no async replica');
    const node = new DockerExecNode(replica.name, replica.container);
    const drive = sut!.driveCommands(replica.name);
    try {
      await node.exec(drive.hang);
      await node.exec(drive.hang);
      expect((await node.exec(drive.status, { check: false })).stdout.trim()).to.equal('hung');
      // A read on the hung drive does not finish (coreutils timeout ends it).
      const read = await node.exec(['timeout', '2', 'ls', '/var/lib/pxlab/data/pg'], {
        check: false,
        timeoutMs: 10_000,
      });
      expect(read.exitCode).to.equal(124);
      await node.exec(drive.restore);
      expect((await node.exec(drive.status)).stdout.trim()).to.equal('healthy');
      await node.exec(driveErrorArgv(drive));
      const failed = await node.exec(['ls', '/var/lib/pxlab/data/pg'], { check: false });
      expect(failed.exitCode).to.not.equal(0);
      expect(failed.stderr).to.include('Transport endpoint is not connected');
      await node.exec(drive.restore);
      await node.exec(drive.restore);
      expect((await node.exec(drive.status)).stdout.trim()).to.equal('healthy');
      expect((await node.exec(['ls', '/var/lib/pxlab/data/pg'])).stdout).to.include('PG_VERSION');
    } finally {
      await node.exec(drive.restore).catch(() => undefined);
    }
    await sut!.settle(AbortSignal.timeout(120_000));
  });

  it("leaderKeyFix false recreates the lab on Debian's Patroni as shipped; true brings the fix back", async () => {
    await sut?.close();
    sut = undefined;
    const launched = async (node: string): Promise<string> =>
      (await docker(['exec', `${LAB}-${node}`, 'cat', '/etc/patroni/launcher'])).stdout;
    const patroniCmdline = async (node: string): Promise<string> =>
      (
        await docker([
          'exec',
          `${LAB}-${node}`,
          'sh',
          '-c',
          'tr "\\0" " " </proc/$(cat /run/pxlab/patroni.pid)/cmdline',
        ])
      ).stdout;
    expect(lab.leaderKeyFix).to.equal(true);
    expect(await patroniCmdline('n1')).to.include('patroni-leader-key-fix.py');
    const unfixed = await labUp({ name: LAB, leaderKeyFix: false });
    expect(unfixed.reused).to.equal(false);
    for (const n of ['n1', 'n2', 'n3']) {
      expect(await launched(n)).to.include('/usr/bin/patroni');
      expect(await patroniCmdline(n)).to.match(/\/usr\/bin\/patroni \/etc\/patroni\/patroni\.yml/);
    }
    const fixed = await labUp({ name: LAB });
    expect(fixed.reused).to.equal(false);
    expect(await patroniCmdline('n2')).to.include('patroni-leader-key-fix.py');
  });

  it('down removes every container, volume and network with the lab label', async () => {
    await sut?.close();
    sut = undefined;
    await labDown(LAB);
    await labDown(LAB); // idempotent
    for (const kind of [
      ['ps', '-a'],
      ['volume', 'ls'],
      ['network', 'ls'],
    ]) {
      const r = await docker([...kind, '--filter', `label=pxchaos.lab=${LAB}`, '-q']);
      expect(r.stdout.trim(), kind.join(' ')).to.equal('');
    }
    expect((await labStatus(LAB)).exists).to.equal(false);
  });
});
