import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from '../../lib/faults/fault.js';
import { handPartitionPlan, handSutFaultPlan } from '../../lib/faults/hand-fault-plans.js';
import { healOpenFaults } from '../../lib/faults/heal-open-faults.js';
import { FaultJournal } from '../../lib/faults/journal.js';
import { timerMarker, timerStartArgv } from '../../lib/faults/auto-revert-timer.js';
import { PXCHAOS_NAMESPACE } from '../../lib/k8s/ensure-namespace.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import { execInPod } from '../../lib/k8s/pod-exec.js';
import { kubeLabPostgresImage } from '../../lib/kube-lab/kube-lab-inspect.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { CommandFailedError, CommandTimeoutError } from '../../lib/nodes/exec-errors.js';
import type { PodNodeAddress } from '../../lib/nodes/node-access.js';
import { HELPER_NODE_ANNOTATION } from '../../lib/nodes/pod/helper-pod-spec.js';
import { listHelperPods } from '../../lib/nodes/pod/helper-pods.js';
import { PodNode } from '../../lib/nodes/pod/pod-node.js';
import { configSchema } from '../../lib/pxchaos-config.js';
import { KIND_TRAITS } from '../../lib/targets/kind-target.js';
import { kubeFaultSurface } from '../../lib/targets/kube-fault-surface.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { waitFor } from '../support/wait-for.js';

const log = (line: string): void => console.log(`      ${line}`);

/**
 * `nodeAccess: pod` on the kube lab: node commands through a privileged helper pod (lib/nodes/pod/),
 * compared with the same node reached by `docker exec`; what they leave running on the host outlives
 * the helper; the gluster driver's faults injected, reverted on time and healed through it.
 */
describe('node access through helper pods on the kube lab (nodeAccess: pod)', function () {
  this.timeout(600_000);
  let client: KubeClient;
  let address: Omit<PodNodeAddress, 'kind'>;
  let worker: string;
  let direct: DockerExecNode;
  let stateDir: string;
  const opened: PodNode[] = [];
  const podNode = (): PodNode => {
    const node = new PodNode(worker, address);
    opened.push(node);
    return node;
  };
  const onHost = async (script: string): Promise<{ code: number; out: string }> => {
    const r = await direct.exec(['sh', '-c', script], { check: false, timeoutMs: 20_000 });
    return { code: r.exitCode, out: `${r.stdout}${r.stderr}`.trim() };
  };
  const helpers = async (): Promise<string[]> =>
    (await listHelperPods(client, PXCHAOS_NAMESPACE)).map((p) => p.metadata?.name ?? '?');
  const bricksFrozen = async (): Promise<boolean> =>
    (await onHost("ps -C glusterfsd -o stat= | grep -c '^T'")).out !== '0';
  const driveHealthy = async (): Promise<boolean> => (await onHost('pxkube-brick status')).code === 0;

  before(async function () {
    await requireDocker(this);
    const up = await sharedKubeLab(log);
    worker = up.layout.workers.at(-1)?.name ?? '';
    if (!worker) throw new Error('kube lab without workers');
    direct = new DockerExecNode(worker, worker);
    const image = await kubeLabPostgresImage(SHARED_KUBE_LAB);
    if (!image) throw new Error('the kube lab has no Postgres image');
    const { kubeconfig, context } = up.access;
    client = await connectKube({ kubeconfig, context });
    address = {
      kubeconfig,
      context,
      node: worker,
      namespace: PXCHAOS_NAMESPACE,
      image,
      imagePullPolicy: 'Never',
    };
    stateDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-pod-node-'));
  });
  after(async () => {
    await Promise.allSettled(opened.map((n) => n.close()));
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((n) => n.close()));
    expect(await helpers(), 'helper pods left').to.deep.equal([]);
  });

  it('runs argv on the node host, in its init cgroups, with exit codes and the deadline kept; refuses stdin', async () => {
    const node = podNode();
    const started = performance.now();
    const hostname = await node.exec(['hostname']);
    log(`first command (helper pod created and Ready) in ${Math.round(performance.now() - started)} ms`);
    expect(hostname.stdout).to.equal((await direct.exec(['hostname'])).stdout);
    expect(hostname.node).to.equal(worker);
    const again = performance.now();
    const init = await node.exec(['cat', '/proc/1/comm']);
    log(`next command in ${Math.round(performance.now() - again)} ms`);
    expect(init.stdout).to.equal((await direct.exec(['cat', '/proc/1/comm'])).stdout);
    // Out of the helper container's cgroups: in PID 1's, as under docker exec.
    const cgroups = await node.exec(['sh', '-c', 'cat /proc/self/cgroup; echo --; cat /proc/1/cgroup']);
    const [self, pid1] = cgroups.stdout.split('--\n');
    expect(self).to.equal(pid1);
    // argv stays argv: quotes, spaces and $ arrive as written.
    const odd = `a 'b' "c" $HOME; echo no`;
    expect((await node.exec(['printf', '%s', odd])).stdout).to.equal(odd);
    expect((await node.exec(['sh', '-c', 'exit 7'], { check: false })).exitCode).to.equal(7);
    const failed = await node.exec(['sh', '-c', 'exit 3']).catch((err: unknown) => err);
    expect(failed).to.be.instanceOf(CommandFailedError);
    const slow = await node.exec(['sleep', '30'], { timeoutMs: 1500 }).catch((err: unknown) => err);
    expect(slow).to.be.instanceOf(CommandTimeoutError);
    const stdin = await node.exec(['cat'], { stdin: 'x' }).catch((err: unknown) => err);
    expect(String(stdin)).to.match(/takes no stdin/);
    expect(await helpers()).to.have.length(1);
  });

  it('what a command leaves running on the host outlives a restart of the helper and its deletion', async () => {
    const node = podNode();
    const marker = timerMarker(`podnode${Date.now()}`);
    const file = `/tmp/${marker}.done`;
    await node.exec(timerStartArgv(marker, 45_000, ['touch', file]));
    // The control: the same, started in the helper without leaving its cgroups, dies with it.
    const [helper] = await listHelperPods(client, PXCHAOS_NAMESPACE);
    const name = helper?.metadata?.name ?? '';
    expect(helper?.metadata?.annotations?.[HELPER_NODE_ANNOTATION]).to.equal(worker);
    const control = `${marker}-control`;
    await execInPod(client, { namespace: PXCHAOS_NAMESPACE, pod: name }, [
      ...['nsenter', '-t', '1', '-m', '-u', '-i', '-n', '-p', '--'],
      ...['sh', '-c', 'setsid -f sh -c "sleep 300" "$0" </dev/null >/dev/null 2>&1', control],
    ]);
    const running = async (what: string): Promise<boolean> =>
      (await onHost(`pgrep -f '[${what.slice(0, 1)}]${what.slice(1)}'`)).code === 0;
    expect(await running(marker), 'timer started').to.equal(true);
    expect(await running(control), 'control started').to.equal(true);

    // The helper's container killed: the kubelet restarts it, and the runtime kills its cgroup.
    const id = helper?.status?.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, '') ?? '';
    expect(id).to.match(/^[0-9a-f]{64}$/);
    await onHost(`ctr -n k8s.io task kill -s KILL ${id}`);
    await waitFor(
      'the helper restarted',
      async () => {
        const pod = await client.core.readNamespacedPod({ name, namespace: PXCHAOS_NAMESPACE });
        const status = pod.status?.containerStatuses?.[0];
        return (status?.restartCount ?? 0) >= 1 && status?.ready === true;
      },
      60_000,
      250,
    );
    await waitFor(
      'the control killed with the container',
      async () => !(await running(control)),
      30_000,
      250,
    );
    expect(await running(marker), 'timer after the restart').to.equal(true);

    await node.close(); // the helper deleted
    expect(await running(marker), 'timer after the deletion').to.equal(true);
    await waitFor('the timer ran', async () => (await onHost(`test -e ${file}`)).code === 0, 60_000, 500);
    await onHost(`rm -f ${file}`);
  });

  it("partition through a helper pod: the kubelet's port kept, verified from a peer's helper, the harness's other execs to the node cut, healed", async () => {
    const node = podNode();
    const peerName = (await client.core.listNode()).items
      .map((n) => n.metadata?.name ?? '')
      .find((n) => n !== worker && /worker/.test(n));
    if (!peerName) throw new Error('no second worker');
    const peer = new PodNode(peerName, { ...address, node: peerName });
    opened.push(peer);
    const config = configSchema.parse({ target: 'kind', kube: { sut: 'gluster' } });
    const surface = kubeFaultSurface(config, KIND_TRAITS, `kube lab '${SHARED_KUBE_LAB}' through pods`, [
      node,
      peer,
    ]);
    const { plan } = handPartitionPlan(surface, { node: worker, peers: [], forMs: 120_000, verify: true });
    await node.exec(['true']); // its helper made
    // Another route through the node's kubelet than the helper's own: a plain exec into that pod.
    const helperPod = (await listHelperPods(client, PXCHAOS_NAMESPACE)).find(
      (p) => p.metadata?.annotations?.[HELPER_NODE_ANNOTATION] === worker,
    );
    const plainRef = { namespace: PXCHAOS_NAMESPACE, pod: helperPod?.metadata?.name ?? '' };
    expect((await execInPod(client, plainRef, ['true'], { timeoutMs: 10_000 })).exitCode).to.equal(0);
    const events: string[] = [];
    const fault = await inject(plan, {
      journal: new FaultJournal(stateDir),
      healOnSignals: false,
      onEvent: (phase) => events.push(phase),
    });
    try {
      expect(events).to.include('verified');
      expect(plan.description).to.match(/TCP 10250 and loopback kept/);
      // The helper still reaches the node; an exec to another pod there gets no answer, as under a real cut.
      expect((await node.exec(['true'])).exitCode).to.equal(0);
      const cutExec = await execInPod(client, plainRef, ['true'], { timeoutMs: 3_000 }).catch(
        (err: unknown) => err,
      );
      expect(cutExec).to.be.instanceOf(CommandTimeoutError);
    } finally {
      await fault.heal();
    }
    expect(events).to.include('heal-verified');
    expect((await execInPod(client, plainRef, ['true'], { timeoutMs: 10_000 })).exitCode).to.equal(0);
  });

  it('gluster agent-down through a helper pod: verified in force; the helper deleted mid-fault, the node-side timer thaws the bricks on time', async () => {
    const node = podNode();
    const config = configSchema.parse({ target: 'kind', kube: { sut: 'gluster' } });
    const surface = kubeFaultSurface(config, KIND_TRAITS, `kube lab '${SHARED_KUBE_LAB}' through pods`, [
      node,
    ]);
    const forMs = 5_000;
    const plan = handSutFaultPlan(surface, 'agent-down', { node: worker, forMs });
    const journal = new FaultJournal(stateDir);
    const events: string[] = [];
    await inject(plan, { journal, healOnSignals: false, onEvent: (phase) => events.push(phase) });
    expect(events).to.include('verified');
    expect(await bricksFrozen(), 'bricks frozen').to.equal(true);
    const deleted = performance.now();
    await node.close(); // as when the harness dies and its helper is removed
    await waitFor(
      'the timer thawed the bricks',
      async () => !(await bricksFrozen()),
      plan.maxDurationMs + 20_000,
      500,
    );
    log(
      `thawed by the node-side timer ${((performance.now() - deleted) / 1000).toFixed(1)} s after the helper's deletion (bound ${plan.maxDurationMs / 1000} s)`,
    );
    // The journal still holds it: heal replays the revert through a new helper pod, then removes it.
    const healed = await healOpenFaults(journal);
    expect(healed.map((h) => h.action)).to.deep.equal(['healed']);
  });

  it('gluster drive-offline through a helper pod: `heal` brings the drive back through a new helper, whose deletion leaves the drive up', async () => {
    const node = podNode();
    const config = configSchema.parse({ target: 'kind', kube: { sut: 'gluster' } });
    const surface = kubeFaultSurface(config, KIND_TRAITS, `kube lab '${SHARED_KUBE_LAB}' through pods`, [
      node,
    ]);
    const journal = new FaultJournal(stateDir);
    await inject(handSutFaultPlan(surface, 'drive-offline', { node: worker, forMs: 120_000 }), {
      journal,
      healOnSignals: false,
    });
    expect(await driveHealthy(), 'drive healthy in force').to.equal(false);
    await node.close();
    const healed = await healOpenFaults(journal);
    expect(healed.map((h) => `${h.action} ${h.detail ?? ''}`.trim())).to.deep.equal(['healed']);
    expect(await helpers(), 'heal removes its helper').to.deep.equal([]);
    // The drive's FUSE daemon, started by the restore through that helper, outlived it.
    expect(await driveHealthy(), 'drive healthy after heal').to.equal(true);
  });
});
