import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import type { ExecOptions, ExecResult } from '../../../lib/nodes/exec-result.js';
import type { NodeAccess, NodeAddress } from '../../../lib/nodes/node-access.js';
import { brickNodes, parseBrickHosts } from '../../../lib/sut/gluster/gluster-brick-nodes.js';
import { patroniNodeRoles } from '../../../lib/sut/patroni/patroni-node-roles.js';
import type { PatroniClusterView } from '../../../lib/sut/patroni/patroni-rest.js';
import { chooseFaultNode, expandPlacement, placedName, type NodeRoles } from '../../../lib/sut/placement.js';
import { PostgresOnK8sSut } from '../../../lib/sut/postgres-on-k8s/postgres-on-k8s-sut.js';
import { STORAGE_DRIVER_PROFILES } from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { PostgresCredentials } from '../../../lib/sut/postgres-on-k8s/postgres-credentials.js';
import { RecordedKubeApi, sendJson } from '../../support/recorded-kube-api.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

/** `gluster volume info pxkube-3` as the kube lab's Gluster 10.3 prints it (bricks by worker IP). */
const VOLUME_INFO = `
Volume Name: pxkube-3
Type: Replicate
Volume ID: 0b7f6a1e-5c1e-4d0a-9a57-3f4f2d1c9e11
Status: Started
Snapshot Count: 0
Number of Bricks: 1 x 3 = 3
Transport-type: tcp
Bricks:
Brick1: 172.28.0.3:/srv/pxkube/brick/pxkube-3
Brick2: 172.28.0.4:/srv/pxkube/brick/pxkube-3
Brick3: 172.28.0.5:/srv/pxkube/brick/pxkube-3
Options Reconfigured:
cluster.shd-max-threads: 4
`;

const WORKERS = [
  { name: 'kl-worker', ip: '172.28.0.3' },
  { name: 'kl-worker2', ip: '172.28.0.4' },
  { name: 'kl-worker3', ip: '172.28.0.5' },
  { name: 'kl-worker4', ip: '172.28.0.6' },
];
const k8sNodes = WORKERS.map((w) => ({
  metadata: { name: w.name },
  status: {
    addresses: [
      { type: 'InternalIP', address: w.ip },
      { type: 'Hostname', address: w.name },
    ],
  },
}));

/** A node stand-in (gluster is not installed here): answers `gluster volume info` with the recorded text. */
class GlusterNode implements NodeAccess {
  readonly address: NodeAddress = { kind: 'docker', container: 'none' };
  readonly ran: (readonly string[])[] = [];
  constructor(
    readonly name: string,
    private readonly answers = true,
  ) {}
  exec(argv: readonly string[], _options?: ExecOptions): Promise<ExecResult> {
    this.ran.push(argv);
    const ok = this.answers && argv[0] === 'gluster' && argv.includes('info') && argv.at(-1) === 'pxkube-3';
    return Promise.resolve({
      exitCode: ok ? 0 : 1,
      stdout: ok ? VOLUME_INFO : '',
      stderr: ok ? '' : 'Connection failed. Please check if gluster daemon is operational.',
      durationMs: 1,
    } as ExecResult);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const member = (name: string, role: string): PatroniClusterView['members'][number] => ({
  name,
  role,
  state: role === 'leader' ? 'running' : 'streaming',
});

describe('fault placement', () => {
  describe('chooseFaultNode', () => {
    const roles: NodeRoles = {
      primary: 'n1',
      replicas: [
        { name: 'n2', role: 'synchronous standby' },
        { name: 'n3', role: 'asynchronous replica' },
      ],
      bystanders: [],
    };

    it('primary → the primary; replica → the first replica the SUT lists, with its role', () => {
      expect(chooseFaultNode(roles, 'primary', 'patroni')).to.deep.equal({ node: 'n1', role: 'primary' });
      expect(chooseFaultNode(roles, 'replica', 'patroni')).to.deep.equal({
        node: 'n2',
        role: 'synchronous standby',
      });
    });

    it('refuses a bystander placement where every node holds a copy, naming them', () => {
      const choice = chooseFaultNode(roles, 'bystander', 'patroni');
      expect(choice).to.deep.equal({
        refused:
          'placement bystander refused on the patroni SUT: every node holds the primary or a copy of the data (n1, n2, n3)',
      });
    });

    it('refuses a role the SUT cannot read, with the SUT’s reason, and a replica placement with no replica', () => {
      const unknown: NodeRoles = { ...roles, unknown: { replica: 'replica nodes not readable' } };
      expect(chooseFaultNode(unknown, 'replica', 'portworx')).to.deep.equal({
        refused: 'placement replica refused on the portworx SUT: replica nodes not readable',
      });
      const alone: NodeRoles = { primary: 'n1', replicas: [], bystanders: [{ name: 'n9', role: 'x' }] };
      expect(chooseFaultNode(alone, 'replica', 'patroni'))
        .to.have.property('refused')
        .that.includes('besides the primary n1');
      expect(chooseFaultNode(alone, 'bystander', 'patroni')).to.deep.equal({ node: 'n9', role: 'x' });
    });
  });

  describe('placement names', () => {
    it('all expands to every placement in order; an unknown value names the allowed ones', () => {
      expect(expandPlacement('all')).to.deep.equal(['primary', 'replica', 'bystander']);
      expect(expandPlacement('replica')).to.deep.equal(['replica']);
      expect(() => expandPlacement('witness')).to.throw(
        'unknown placement witness; expected: primary, replica, bystander, all',
      );
    });

    it('the primary placement keeps the bare scenario name; the others carry theirs', () => {
      expect(placedName('network-partition', 'primary')).to.equal('network-partition');
      expect(placedName('network-partition', undefined)).to.equal('network-partition');
      expect(placedName('network-partition', 'replica')).to.equal('network-partition@replica');
    });
  });

  describe('patroniNodeRoles', () => {
    it('the leader is the primary and the synchronous standby the first replica, whatever the member order', () => {
      const view = {
        members: [member('n1', 'replica'), member('n2', 'leader'), member('n3', 'sync_standby')],
      };
      const roles = patroniNodeRoles(view, ['n1', 'n2', 'n3']);
      expect(roles.primary).to.equal('n2');
      expect(roles.replicas.map((r) => r.name)).to.deep.equal(['n3', 'n1']);
      expect(roles.replicas[0]?.role).to.equal('synchronous standby');
      expect(roles.bystanders).to.deep.equal([]);
    });

    it('a SUT node that is no Patroni member is a bystander; no leader is an error', () => {
      const view = { members: [member('n1', 'leader'), member('n2', 'replica')] };
      expect(patroniNodeRoles(view, ['n1', 'n2', 'n4']).bystanders.map((b) => b.name)).to.deep.equal(['n4']);
      expect(() => patroniNodeRoles({ members: [member('n1', 'replica')] }, ['n1'])).to.throw(
        /no Patroni leader/,
      );
    });
  });

  describe('Gluster brick nodes', () => {
    it('reads the brick hosts of gluster volume info and maps them to Kubernetes nodes by address', () => {
      const hosts = parseBrickHosts(VOLUME_INFO);
      expect(hosts).to.deep.equal(['172.28.0.3', '172.28.0.4', '172.28.0.5']);
      expect(brickNodes('pxkube-3', hosts, k8sNodes).map((n) => n.name)).to.deep.equal([
        'kl-worker',
        'kl-worker2',
        'kl-worker3',
      ]);
      expect(() => brickNodes('pxkube-3', ['10.9.9.9'], k8sNodes)).to.throw(
        "Gluster volume pxkube-3: brick host 10.9.9.9 is no Kubernetes node's address",
      );
    });
  });

  describe('PostgresOnK8sSut.nodeRoles (stand-in API server)', () => {
    const NS = 'pxchaos-run-t1';
    let api: RecordedKubeApi | undefined;
    afterEach(async () => {
      await api?.dispose();
      api = undefined;
    });

    const apiWithPodOn = (node: string): Promise<RecordedKubeApi> =>
      new RecordedKubeApi((req, res: ServerResponse) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === `/api/v1/namespaces/${NS}/pods/postgres-0`)
          return sendJson(res, 200, {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'postgres-0', namespace: NS },
            spec: { nodeName: node, containers: [{ name: 'postgres', image: 'x' }] },
            status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
          });
        if (path === `/api/v1/namespaces/${NS}/persistentvolumeclaims/data-postgres-0`)
          return sendJson(res, 200, {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: 'data-postgres-0', namespace: NS },
            spec: { volumeName: 'gluster-pv-3' },
          });
        if (path === '/api/v1/persistentvolumes/gluster-pv-3')
          return sendJson(res, 200, {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: { name: 'gluster-pv-3' },
            spec: { glusterfs: { endpoints: 'glusterfs-cluster', path: 'pxkube-3' } },
          });
        if (path === '/api/v1/nodes')
          return sendJson(res, 200, { apiVersion: 'v1', kind: 'NodeList', items: k8sNodes });
        return sendJson(res, 404, { kind: 'Status', code: 404, reason: 'NotFound' });
      }).start();

    const sutOn = (server: RecordedKubeApi, driver: 'gluster' | 'portworx', nodes: NodeAccess[]) =>
      new PostgresOnK8sSut({
        name: driver,
        client: KubeClient.load({ kubeconfig: server.kubeconfig }),
        namespace: NS,
        credentials: new PostgresCredentials('secret'),
        nodes,
        agentCommands: (n) => STORAGE_DRIVER_PROFILES[driver].agent(n, configSchema.parse({})),
        driveCommands: (n) => STORAGE_DRIVER_PROFILES[driver].drive(n, configSchema.parse({})),
        expectations: {},
        replicaNodes: STORAGE_DRIVER_PROFILES[driver].replicaNodes,
      });

    it('gluster: the pod’s node is the primary, the other brick workers the replicas, a 4th worker a bystander', async () => {
      api = await apiWithPodOn('kl-worker2');
      // The first node's glusterd does not answer: the next one is asked.
      const nodes = [
        new GlusterNode('kl-worker', false),
        ...WORKERS.slice(1).map((w) => new GlusterNode(w.name)),
      ];
      const sut = sutOn(api, 'gluster', nodes);
      const roles = await sut.nodeRoles(AbortSignal.timeout(10_000));
      await sut.close();
      expect(roles.primary).to.equal('kl-worker2');
      expect(roles.replicas).to.deep.equal([
        { name: 'kl-worker', role: 'Gluster brick of pxkube-3' },
        { name: 'kl-worker3', role: 'Gluster brick of pxkube-3' },
      ]);
      expect(roles.bystanders.map((b) => b.name)).to.deep.equal(['kl-worker4']);
      expect(chooseFaultNode(roles, 'replica', 'gluster')).to.deep.equal({
        node: 'kl-worker',
        role: 'Gluster brick of pxkube-3',
      });
    });

    it('gluster on three workers: no bystander, so that placement is refused', async () => {
      api = await apiWithPodOn('kl-worker');
      const sut = sutOn(
        api,
        'gluster',
        WORKERS.slice(0, 3).map((w) => new GlusterNode(w.name)),
      );
      const roles = await sut.nodeRoles(AbortSignal.timeout(10_000));
      await sut.close();
      expect(chooseFaultNode(roles, 'bystander', 'gluster'))
        .to.have.property('refused')
        .that.matches(
          /^placement bystander refused on the gluster SUT: every node holds the primary or a copy/,
        );
    });

    it('portworx: replica and bystander are refused with one line saying the replica nodes are not readable', async () => {
      api = await apiWithPodOn('kl-worker');
      const sut = sutOn(
        api,
        'portworx',
        WORKERS.map((w) => new GlusterNode(w.name)),
      );
      const roles = await sut.nodeRoles(AbortSignal.timeout(10_000));
      await sut.close();
      expect(roles.primary).to.equal('kl-worker');
      for (const placement of ['replica', 'bystander'] as const) {
        const choice = chooseFaultNode(roles, placement, 'portworx');
        expect(choice)
          .to.have.property('refused')
          .that.includes("Portworx volume's replica nodes are not readable");
        expect((choice as { refused: string }).refused).to.not.include('\n');
      }
    });
  });
});
