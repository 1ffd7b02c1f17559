import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import pg from 'pg';
import { labDown } from '../../lib/lab/lab-down.js';
import { labUp, type Lab } from '../../lib/lab/lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import type { NodeAccess } from '../../lib/nodes/node-access.js';
import { openLabSut } from '../../lib/lab/lab-sut.js';
import type { PatroniSut } from '../../lib/sut/patroni/patroni-sut.js';
import { checkSyncReplication } from '../../lib/sut/patroni/sync-replication.js';
import type { SutEvent } from '../../lib/sut/sut.js';
import { requireDocker } from '../support/require-docker.js';
import { driveErrorArgv } from '../support/drive-error.js';

const LAB = 'pxchaos-test-lab';

const writers = new Set<Writer>();

/** Writes one row every 100 ms through the SUT's write endpoint, reconnecting after any error. */
class Writer {
  readonly acked: number[] = [];
  failures = 0;
  private stopped = false;
  private readonly done: Promise<void>;
  constructor(private readonly sut: PatroniSut) {
    writers.add(this);
    this.done = this.loop();
  }
  private async loop(): Promise<void> {
    const ep = await this.sut.writeEndpoint();
    let client: pg.Client | undefined;
    for (let id = 1; !this.stopped; id++) {
      try {
        if (!client) {
          client = new pg.Client({ ...ep, connectionTimeoutMillis: 2000, query_timeout: 4000 });
          client.on('error', () => undefined);
          await client.connect();
        }
        await client.query('insert into lab_faults_ledger(id) values ($1)', [id]);
        this.acked.push(id);
      } catch {
        this.failures++;
        void client?.end().catch(() => undefined);
        client = undefined;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await client?.end().catch(() => undefined);
  }
  async stop(): Promise<void> {
    this.stopped = true;
    writers.delete(this);
    await this.done;
  }
}

async function query<T extends pg.QueryResultRow>(sut: PatroniSut, sql: string): Promise<T[]> {
  const c = new pg.Client({
    ...(await sut.writeEndpoint()),
    connectionTimeoutMillis: 3000,
    query_timeout: 10_000,
  });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Partition of one node, SSH and loopback kept (dedicated chains, so the heal removes exactly them). */
const PARTITION = [
  'sh',
  '-c',
  'set -e; for c in PXCHAOS-labtest-IN PXCHAOS-labtest-OUT; do iptables -N $c 2>/dev/null || iptables -F $c; done; ' +
    'iptables -A PXCHAOS-labtest-IN -i lo -j ACCEPT; iptables -A PXCHAOS-labtest-IN -p tcp --dport 22 -j ACCEPT; iptables -A PXCHAOS-labtest-IN -j DROP; ' +
    'iptables -A PXCHAOS-labtest-OUT -o lo -j ACCEPT; iptables -A PXCHAOS-labtest-OUT -p tcp --sport 22 -j ACCEPT; iptables -A PXCHAOS-labtest-OUT -j DROP; ' +
    'iptables -I INPUT 1 -j PXCHAOS-labtest-IN; iptables -I OUTPUT 1 -j PXCHAOS-labtest-OUT',
];
/** How often Patroni on this node has finished demoting itself for losing the DCS. */
async function demotions(node: NodeAccess): Promise<number> {
  const r = await node.exec(
    ['grep', '-c', 'demoted self because DCS is not accessible', '/var/log/pxlab/patroni.log'],
    { check: false, timeoutMs: 5000 },
  );
  return Number(r.stdout.trim()) || 0;
}

const HEAL_PARTITION = [
  'sh',
  '-c',
  'while iptables -D INPUT -j PXCHAOS-labtest-IN 2>/dev/null; do :; done; while iptables -D OUTPUT -j PXCHAOS-labtest-OUT 2>/dev/null; do :; done; ' +
    'for c in PXCHAOS-labtest-IN PXCHAOS-labtest-OUT; do iptables -F $c 2>/dev/null; iptables -X $c 2>/dev/null; done; true',
];

describe('lab (real containers): faults on the leader behave as lab-expectations.ts says', function () {
  this.timeout(240_000);
  let lab: Lab;
  let sut: PatroniSut;
  let events: SutEvent[] = [];
  let watching: AbortController;

  before(async function () {
    await requireDocker(this);
    this.timeout(600_000);
    lab = await labUp({ name: LAB });
    sut = await openLabSut(LAB);
    await query(
      sut,
      'create table if not exists lab_faults_ledger (id bigint, at timestamptz default now())',
    );
  });

  beforeEach(async () => {
    await sut.settle(AbortSignal.timeout(120_000));
    await query(sut, 'truncate lab_faults_ledger');
    events = [];
    watching = new AbortController();
    sut.watch((e) => events.push(e), watching.signal);
  });

  afterEach(async () => {
    watching.abort();
    // A failed test leaves its writer running: stop it so the lab can settle and mocha can exit.
    await Promise.all([...writers].map((w) => w.stop()));
  });

  after(async () => {
    await sut?.close();
    if (lab) await labDown(LAB);
  });

  const leaderNode = async (): Promise<DockerExecNode> => {
    const name = await sut.primaryNode();
    const info = lab.nodes.find((n) => n.name === name);
    if (!info) throw new Error(`unknown leader ${name}`);
    return new DockerExecNode(name, info.container);
  };

  const ackedMissing = async (writer: Writer): Promise<number[]> => {
    const rows = await query<{ id: string }>(sut, 'select id from lab_faults_ledger');
    const present = new Set(rows.map((r) => Number(r.id)));
    return writer.acked.filter((id) => !present.has(id));
  };

  it('agent restart within grace: no failover, no failed write; synchronous replication real afterwards', async () => {
    const e = sut.expectations['agent-restart-within-grace'];
    const node = await leaderNode();
    const agent = sut.agentCommands(node.name);
    const writer = new Writer(sut);
    try {
      await node.exec(agent.kill);
      await new Promise((r) => setTimeout(r, e.holdMs));
    } finally {
      await node.exec(agent.start);
    }
    await new Promise((r) => setTimeout(r, 3000));
    await writer.stop();
    expect(
      events.filter((x) => x.event === 'leader-changed'),
      'leader changes',
    ).to.deep.equal([]);
    expect(writer.failures, 'failed writes').to.equal(0);
    expect(await sut.primaryNode()).to.equal(node.name);
    await sut.settle(AbortSignal.timeout(60_000));
    const sync = await checkSyncReplication(sut.rest, await sut.clusterView());
    expect(sync?.ok, 'primary replicates synchronously after settle').to.equal(true);
    expect(await ackedMissing(writer)).to.deep.equal([]);
  });

  it('agent down past grace: the sync standby takes over; the old primary never acknowledges; it rejoins', async () => {
    const e = sut.expectations['agent-down-past-grace'];
    const view = await sut.clusterView();
    const syncStandby = view?.members.find((m) => m.role === 'sync_standby')?.name;
    const node = await leaderNode();
    const agent = sut.agentCommands(node.name);
    const writer = new Writer(sut);
    const killedAt = performance.now();
    try {
      await node.exec(agent.kill);
      const newLeader = await waitFor('new leader', e.recoveryWithinMs, async () => {
        const l = await sut.primaryNode();
        return l !== node.name ? l : undefined;
      });
      console.log(`      leader change after ${Math.round(performance.now() - killedAt)}ms`);
      expect(newLeader).to.equal(syncStandby);
      // Postgres still runs on the old node, as primary, but a commit there must wait for a sync standby forever.
      const write = await node.exec(
        ['timeout', '5', 'psql', '-U', 'postgres', '-Atc', 'insert into lab_faults_ledger(id) values (-1)'],
        { check: false, timeoutMs: 15_000 },
      );
      expect(write.exitCode, `old primary answered: ${write.stdout}${write.stderr}`).to.not.equal(0);
    } finally {
      await node.exec(agent.start);
    }
    await sut.settle(AbortSignal.timeout(120_000));
    await writer.stop();
    const roles = (await sut.clusterView())?.members.find((m) => m.name === node.name)?.role;
    expect(roles).to.be.oneOf(['replica', 'sync_standby']);
    expect(await ackedMissing(writer)).to.deep.equal([]);
    const stray = await query<{ n: string }>(sut, 'select count(*) n from lab_faults_ledger where id = -1');
    expect(Number(stray[0]?.n)).to.equal(0);
  });

  it('network partition: a replica is promoted in time, the cut leader demotes itself, the cluster settles after heal', async () => {
    const e = sut.expectations['network-partition'];
    const node = await leaderNode();
    const writer = new Writer(sut);
    const demotedBefore = await demotions(node);
    const cutAt = performance.now();
    try {
      await node.exec(PARTITION);
      await waitFor('new leader', e.recoveryWithinMs, async () => {
        const l = await sut.primaryNode();
        return l !== node.name ? l : undefined;
      });
      console.log(`      leader change after ${Math.round(performance.now() - cutAt)}ms`);
      // Demoted by itself (retry_timeout without etcd), seen from inside the cut node: Patroni's own
      // "demoted self" line, i.e. the demotion finished. Healing mid-demotion (it took 19 s on a busy
      // machine) lets Patroni 3.0.2 re-promote the old leader from its stale lock: split brain.
      await waitFor('old leader demoted', 60_000, async () =>
        (await demotions(node)) > demotedBefore ? true : undefined,
      );
      // Hold the partition as long as the scenario does (the expectation's holdMs): a heal within
      // seconds of the demotion lets Patroni 3.0.2 take the leader key back (docs/lab.md, bug 2).
      const held = performance.now() - cutAt;
      if (held < e.holdMs) await sleep(e.holdMs - held);
    } finally {
      await node.exec(HEAL_PARTITION);
    }
    // With the leader-key fix the healed node cannot take the key back (docs/lab.md, bug 2): it
    // rejoins as a replica and the interim leader's acknowledged writes survive.
    await sut.settle(AbortSignal.timeout(120_000));
    await writer.stop();
    const role = (await sut.clusterView())?.members.find((m) => m.name === node.name)?.role;
    expect(role, `old leader ${node.name} after the heal`).to.be.oneOf(['replica', 'sync_standby']);
    expect(await ackedMissing(writer)).to.deep.equal([]);
  });

  it('a stalled leader (Patroni stopped past ttl) does not take the key back when it resumes', async () => {
    const e = sut.expectations['network-partition'];
    const node = await leaderNode();
    const writer = new Writer(sut);
    const pid = (await node.exec(['cat', '/run/pxlab/patroni.pid'])).stdout.trim();
    expect(pid).to.match(/^\d+$/);
    try {
      await node.exec(['kill', '-STOP', pid]);
      const interim = await waitFor('new leader', e.recoveryWithinMs, async () => {
        const l = await sut.primaryNode();
        return l !== node.name ? l : undefined;
      });
      const ackedBefore = writer.acked.length;
      await waitFor('writes acknowledged by the interim leader', 30_000, () =>
        Promise.resolve(writer.acked.length > ackedBefore + 5 ? true : undefined),
      );
      console.log(`      interim leader ${interim}; resuming ${node.name}`);
    } finally {
      await node.exec(['kill', '-CONT', pid]);
    }
    await sut.settle(AbortSignal.timeout(120_000));
    await writer.stop();
    const role = (await sut.clusterView())?.members.find((m) => m.name === node.name)?.role;
    expect(role, `resumed ${node.name}`).to.be.oneOf(['replica', 'sync_standby']);
    expect(await ackedMissing(writer)).to.deep.equal([]);
  });

  it('drive error: the leader gives up its key and a replica takes over; the node re-clones after restore', async () => {
    const e = sut.expectations['drive-offline'];
    const node = await leaderNode();
    const drive = sut.driveCommands(node.name);
    const writer = new Writer(sut);
    const failedAt = performance.now();
    try {
      await node.exec(driveErrorArgv(drive));
      await waitFor('new leader', e.recoveryWithinMs, async () => {
        const l = await sut.primaryNode();
        return l !== node.name ? l : undefined;
      });
      console.log(`      leader change after ${Math.round(performance.now() - failedAt)}ms`);
    } finally {
      await node.exec(drive.restore);
    }
    await sut.settle(AbortSignal.timeout(150_000));
    await writer.stop();
    expect(await ackedMissing(writer)).to.deep.equal([]);
  });

  it('drive hang: Patroni stalls with the drive and a replica takes over once the leader key expires', async () => {
    const e = sut.expectations['drive-offline'];
    const node = await leaderNode();
    const drive = sut.driveCommands(node.name);
    const writer = new Writer(sut);
    const hungAt = performance.now();
    try {
      await node.exec(drive.hang);
      await waitFor('new leader', e.recoveryWithinMs, async () => {
        const l = await sut.primaryNode();
        return l !== node.name ? l : undefined;
      });
      console.log(`      leader change after ${Math.round(performance.now() - hungAt)}ms`);
    } finally {
      await node.exec(drive.restore);
    }
    await sut.settle(AbortSignal.timeout(150_000));
    await writer.stop();
    // Debian's 3.0.2 as shipped lets the resumed node retake the key here (docs/lab.md); the fix must not.
    expect(await sut.primaryNode()).to.not.equal(node.name);
    expect(await ackedMissing(writer)).to.deep.equal([]);
  });
});
