import { controllerManagerFlag } from '../../lib/k8s/controller-manager-flags.js';
import { readKubeTimings } from '../../lib/kube-lab/kube-timings.js';
import { clusterTimings } from '../../lib/targets/kube-run-timings.js';
import { goDurationMs } from '../../lib/time/go-duration.js';
import { setCordoned } from '../support/kube-node-cordon.js';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOk } from '../../lib/docker/docker-cli.js';
import { inject } from '../../lib/faults/fault.js';
import { FaultJournal } from '../../lib/faults/journal.js';
import { findLeftovers } from '../../lib/faults/leftovers.js';
import { partitionPlan } from '../../lib/faults/partition-fault.js';
import { applyObjects, FIELD_MANAGER } from '../../lib/k8s/apply-objects.js';
import { deleteAndWaitGone } from '../../lib/k8s/delete-objects.js';
import { KubeApiError } from '../../lib/k8s/kube-api-error.js';
import { connectKube, KubeClient } from '../../lib/k8s/kube-client.js';
import { execInPod, PodExecStartError } from '../../lib/k8s/pod-exec.js';
import { forwardPort, type ForwardedConnection, type PortForward } from '../../lib/k8s/pod-port-forward.js';
import { findServingPod } from '../../lib/k8s/ready-pod.js';
import { watchObjects, type WatchEvent, type WatchNotice } from '../../lib/k8s/watch-objects.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { CommandTimeoutError } from '../../lib/nodes/exec-errors.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { requireDocker } from '../support/require-docker.js';
import { waitFor } from '../support/wait-for.js';

// A lab of its own (reused when healthy), so other suites' labs are never touched.
const LAB = SHARED_KUBE_LAB;
const NS = 'k8s-client-it';
const ECHO_PORT = 7000;
const log = (line: string): void => console.log(`      ${line}`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * The echo server of the StatefulSet below: per connection it sends one line naming the pod that
 * answered (name, uid, node), then echoes one line back. Perl ships in the lab's Postgres image.
 */
const ECHO_SERVER = [
  'use IO::Socket::INET;',
  `my $s = IO::Socket::INET->new(LocalPort => ${ECHO_PORT}, Listen => 16, ReuseAddr => 1) or die "listen: $!";`,
  '$| = 1;',
  'while (my $c = $s->accept) { $c->autoflush(1); print $c "$ENV{POD_NAME} $ENV{POD_UID} $ENV{NODE_NAME}\\n";',
  '  my $line = <$c>; print $c "echo: $line" if defined $line; close $c; }',
].join(' ');

interface Greeting {
  readonly pod: string;
  readonly uid: string;
  readonly node: string;
}

/** Connects through the forward and reads the greeting line; rejects when the connection ends without one. */
function greet(forward: PortForward, timeoutMs = 20_000): Promise<Greeting> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(forward.port, forward.host);
    let text = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no greeting within ${timeoutMs}ms`)), timeoutMs);
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) {
        clearTimeout(timer);
        socket.destroy();
        const [pod = '', uid = '', node = ''] = line.split(' ');
        resolve({ pod, uid, node });
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`connection closed without a greeting${text ? ` (got '${text}')` : ''}`));
    });
    socket.on('error', () => undefined);
  });
}

describe('k8s client layer on the kube lab (real Kubernetes 1.20)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let client: KubeClient;
  let stateDir = '';
  const cp = (): string => up.layout.controlPlane.name;

  const echoManifests = (): KubernetesObject[] => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'echo', namespace: NS },
      spec: {
        serviceName: 'echo',
        replicas: 1,
        selector: { matchLabels: { app: 'echo' } },
        template: {
          metadata: { labels: { app: 'echo' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'echo',
                image: up.images.postgres,
                imagePullPolicy: 'Never',
                command: ['perl', '-e', ECHO_SERVER],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                ],
                ports: [{ containerPort: ECHO_PORT }],
                readinessProbe: { tcpSocket: { port: ECHO_PORT }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    } as KubernetesObject,
  ];

  const servingEcho = (): Promise<V1Pod> => findServingPod(client, NS, { podName: 'echo-0' });
  const waitEchoServing = (why: string, accept: (p: V1Pod) => boolean = () => true): Promise<V1Pod> =>
    waitFor(
      why,
      () =>
        servingEcho().then(
          (p) => (accept(p) ? p : undefined),
          () => undefined,
        ),
      240_000,
      500,
    );

  before(async function () {
    await requireDocker(this);
    stateDir = await mkdtemp(join(tmpdir(), 'pxchaos-k8s-it-'));
    up = await sharedKubeLab(log);
    log(`kube lab ${LAB}: ${up.outcome} in ${seconds(up.durationMs)}`);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
  });

  after(async () => {
    if (!client) return;
    await deleteAndWaitGone(
      client,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      { timeoutMs: 180_000 },
    ).catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('server-side apply creates, then re-applies as a no-op owned by fieldManager pxchaos', async () => {
    const first = await applyObjects(client, echoManifests());
    const sts = first[1];
    expect(sts?.metadata?.managedFields?.map((m) => [m.manager, m.operation])).to.deep.include([
      FIELD_MANAGER,
      'Apply',
    ]);
    const pod = await waitEchoServing('echo-0 Running+Ready');
    log(`echo-0 Ready on ${pod.spec?.nodeName ?? '?'}`);
    // Once the controllers have written their status, applying the same manifests changes nothing.
    const settled = await applyObjects(client, echoManifests());
    const again = await applyObjects(client, echoManifests());
    expect(again.map((o) => o.metadata?.resourceVersion)).to.deep.equal(
      settled.map((o) => o.metadata?.resourceVersion),
    );
    // A changed manifest is an update of the same object.
    const manifests = echoManifests();
    const changed = { ...manifests[1], metadata: { ...manifests[1]?.metadata, labels: { changed: 'yes' } } };
    const [updated] = await applyObjects(client, [changed]);
    expect(updated?.metadata?.uid).to.equal(sts?.metadata?.uid);
    expect(updated?.metadata?.labels).to.deep.equal({ changed: 'yes' });
  });

  it('exec returns exit codes 0 and 3 with output; a missing command and a deadline are typed errors', async () => {
    await waitEchoServing('echo-0 Running+Ready');
    const ref = { namespace: NS, pod: 'echo-0' };
    const ok = await execInPod(client, ref, ['sh', '-c', 'echo out; echo err >&2']);
    expect([ok.exitCode, ok.stdout, ok.stderr]).to.deep.equal([0, 'out\n', 'err\n']);
    const three = await execInPod(client, ref, ['sh', '-c', 'echo before; exit 3']);
    expect([three.exitCode, three.stdout]).to.deep.equal([3, 'before\n']);
    // argv goes through as is: no shell sees it.
    const literal = await execInPod(client, ref, ['echo', 'a  b', '$HOME', ';', 'ls']);
    expect(literal.stdout).to.equal('a  b $HOME ; ls\n');

    const missing = await execInPod(client, ref, ['pxchaos-no-such-command']).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(missing).to.be.instanceOf(PodExecStartError);
    expect(missing?.message).to.match(/pxchaos-no-such-command.*executable file not found/);

    const started = performance.now();
    const slow = await execInPod(client, ref, ['sleep', '30'], { timeoutMs: 1500 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const elapsed = performance.now() - started;
    expect(slow).to.be.instanceOf(CommandTimeoutError);
    expect(elapsed).to.be.within(1500, 4000);

    const nopod = await execInPod(client, { namespace: NS, pod: 'nope-0' }, ['true']).then(
      () => undefined,
      (e: unknown) => e as KubeApiError,
    );
    expect(nopod).to.be.instanceOf(KubeApiError);
    expect(nopod?.status).to.equal(404);
    log(`exec: exit 0 in ${ok.durationMs.toFixed(0)} ms, exit 3 in ${three.durationMs.toFixed(0)} ms`);
  });

  it('a watch survives a kube-apiserver restart and keeps delivering events', async () => {
    const events: WatchEvent<KubernetesObject>[] = [];
    const notices: { at: number; notice: WatchNotice }[] = [];
    const watch = watchObjects<KubernetesObject>(
      client,
      `/api/v1/namespaces/${NS}/configmaps`,
      (e) => events.push(e),
      {
        timeoutSeconds: 20,
        livenessMs: 30_000,
        retryDelayMs: 250,
        maxRetryDelayMs: 2_000,
        onNotice: (notice) => notices.push({ at: performance.now(), notice }),
      },
    );
    const tick = (n: number): KubernetesObject =>
      ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `tick-${n}`, namespace: NS },
        data: { n: String(n) },
      }) as KubernetesObject;
    const seen = (name: string): boolean =>
      events.some((e) => e.type === 'ADDED' && e.object.metadata?.name === name);
    try {
      await applyObjects(client, [tick(1)]);
      await waitFor('tick-1 through the watch', () => seen('tick-1'), 30_000);

      const pid = (await dockerOk(['exec', cp(), 'pgrep', '-xo', 'kube-apiserver'])).trim();
      expect(pid).to.match(/^\d+$/);
      const killedAt = performance.now();
      await dockerOk(['exec', cp(), 'kill', '-9', pid]);
      log(`kube-apiserver (pid ${pid}) killed`);
      // The kubelet restarts the static pod; until then every reconnect is refused.
      await waitFor(
        'a failed reconnect',
        () => notices.some((n) => n.at > killedAt && n.notice.kind === 'retry'),
        60_000,
      );
      const resumed = await waitFor(
        'the watch to resume',
        () => notices.find((n) => n.at > killedAt && n.notice.kind === 'watching'),
        180_000,
        100,
      );
      const newPid = (await dockerOk(['exec', cp(), 'pgrep', '-xo', 'kube-apiserver'])).trim();
      expect(newPid).to.not.equal(pid);
      const retries = notices.filter((n) => n.at > killedAt && n.notice.kind === 'retry').length;
      log(`watch resumed ${seconds(resumed.at - killedAt)} after the kill (${retries} failed attempts)`);

      const appliedAt = performance.now();
      await applyObjects(client, [tick(2)]);
      await waitFor('tick-2 through the resumed watch', () => seen('tick-2'), 30_000);
      log(
        `event after the restart delivered ${((performance.now() - appliedAt) / 1000).toFixed(2)} s after apply`,
      );
      expect(events.filter((e) => e.object.metadata?.name === 'tick-1' && e.type === 'ADDED')).to.have.length(
        1,
      );
      expect(watch.stats.failures).to.be.at.least(1);
    } finally {
      await watch.stop();
    }
    // Leave a healthy API server for the next tests.
    await waitFor(
      'API server answering',
      () => client.serverVersion().then(Boolean, () => false),
      120_000,
      500,
    );
  });

  it('a cut-off node makes exec and port-forward fail within their deadlines instead of hanging', async () => {
    const pod = await waitEchoServing('echo-0 Running+Ready');
    const nodeName = pod.spec?.nodeName ?? '';
    const peerName = up.layout.workers.find((w) => w.name !== nodeName)?.name ?? '';
    const victim = new DockerExecNode(nodeName, nodeName);
    const peer = new DockerExecNode(peerName, peerName);
    const connections: ForwardedConnection[] = [];
    const forward = await forwardPort(client, {
      namespace: NS,
      target: { podName: 'echo-0' },
      port: ECHO_PORT,
      connectTimeoutMs: 5_000,
      keepaliveMs: 2_000,
      onConnection: (c) => connections.push(c),
    });
    // An established forward, idle, to see it end when the node goes away.
    const held = net.connect(forward.port, forward.host);
    let heldError = '';
    held.on('error', (e) => (heldError = e.message));
    const heldClosed = new Promise<number>((resolve) => held.on('close', () => resolve(performance.now())));
    await new Promise<void>((resolve) => held.once('data', () => resolve()));

    const plan = partitionPlan(victim, {
      maxDurationMs: 300_000,
      verify: { from: peer, port: 10250 },
    });
    // From the start of the inject: it returns only after verifying the cut (a 2 s probe).
    const cutAt = performance.now();
    const fault = await inject(plan, { journal: new FaultJournal(stateDir), healOnSignals: true });
    try {
      log(`${nodeName} cut off (kubelet port 10250 verified unreachable)`);
      const started = performance.now();
      const err = await execInPod(client, { namespace: NS, pod: 'echo-0' }, ['true'], {
        timeoutMs: 5_000,
      }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      const execMs = performance.now() - started;
      expect(err).to.be.instanceOf(CommandTimeoutError);
      expect(execMs).to.be.within(5_000, 7_000);
      log(`exec into the cut node's pod failed in ${seconds(execMs)} (deadline 5 s): ${err?.message ?? ''}`);

      const before = connections.length;
      const fwStarted = performance.now();
      const fwErr = await greet(forward, 30_000).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      const fwMs = performance.now() - fwStarted;
      expect(fwErr?.message).to.match(/^connection closed without a greeting/);
      expect(fwMs).to.be.below(7_000);
      const report = connections[before];
      expect(report?.error).to.match(/timed out|did not|handshake/i);
      log(`new port-forward connection closed in ${seconds(fwMs)} (deadline 5 s): ${report?.error ?? ''}`);

      const heldEnd = await Promise.race([
        heldClosed,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error('established forward still open 20 s after the cut')), 20_000),
        ),
      ]);
      expect(heldEnd - cutAt).to.be.below(10_000);
      log(
        `established forward ended ${seconds(heldEnd - cutAt)} after the cut (2 s pings, ended after 2 unanswered): ${heldError || 'closed'}`,
      );
    } finally {
      await fault.heal();
      await forward.close();
    }
    expect(await findLeftovers(victim)).to.deep.equal([]);
    await waitFor(
      'exec into echo-0 again after the heal',
      () =>
        execInPod(client, { namespace: NS, pod: 'echo-0' }, ['true'], { timeoutMs: 5_000 }).then(
          (r) => r.exitCode === 0,
          () => false,
        ),
      120_000,
      500,
    );
  });

  it('the port-forward reaches the new pod after a force delete and a reschedule onto another node', async () => {
    const forward = await forwardPort(client, {
      namespace: NS,
      target: { podName: 'echo-0' },
      port: ECHO_PORT,
    });
    const old = await waitFor(
      'a greeting from echo-0',
      () => greet(forward).catch(() => undefined),
      60_000,
      500,
    );
    const oldNode = old.node;
    const cordon = (unschedulable: boolean): Promise<unknown> => setCordoned(client, oldNode, unschedulable);
    try {
      // Cordoned, so the StatefulSet's new echo-0 has to go to another node.
      await cordon(true);
      const deleted = await deleteAndWaitGone(
        client,
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo-0', namespace: NS } },
        { gracePeriodSeconds: 0, timeoutMs: 60_000 },
      );
      const deletedAt = performance.now();
      expect(deleted.existed).to.equal(true);
      log(
        `echo-0 (uid ${old.uid.slice(0, 8)}) on ${oldNode} force-deleted in ${deleted.goneAfterMs.toFixed(0)} ms`,
      );
      const fresh = await waitFor(
        'a greeting from the new echo-0',
        () =>
          greet(forward, 10_000).then(
            (g) => (g.uid !== old.uid ? g : undefined),
            () => undefined,
          ),
        240_000,
        250,
      );
      log(
        `new echo-0 (uid ${fresh.uid.slice(0, 8)}) on ${fresh.node} reached ${seconds(performance.now() - deletedAt)} after the delete`,
      );
      expect(fresh.pod).to.equal('echo-0');
      expect(fresh.node).to.not.equal(oldNode);
      const serving = await servingEcho();
      expect([serving.metadata?.uid, serving.spec?.nodeName]).to.deep.equal([fresh.uid, fresh.node]);
      // And it keeps reaching it.
      expect((await greet(forward)).uid).to.equal(fresh.uid);
    } finally {
      await cordon(false).catch((err: unknown) => log(`uncordon: ${(err as Error).message}`));
      await forward.close();
    }
  });

  it("reads the controller manager's node-monitor-grace-period through the API, as its manifest sets it", async () => {
    // A test above restarts kube-apiserver: the static pods' mirror pods may be listed again only a
    // little later (the kubelet re-posts them), so the flag is waited for, not read once.
    const flag = await waitFor(
      "the controller manager's mirror pod with the flag",
      () => controllerManagerFlag(client, 'node-monitor-grace-period').catch(() => undefined),
      120_000,
      1000,
    );
    const { nodeMonitorGracePeriodMs } = await readKubeTimings(up.layout.controlPlane.name);
    expect(flag && goDurationMs(flag)).to.equal(nodeMonitorGracePeriodMs);
    const timings = await clusterTimings(client);
    expect(timings.nodeMonitorGracePeriod?.ms).to.equal(nodeMonitorGracePeriodMs);
    expect(timings.nodeMonitorGracePeriod?.source).to.equal(
      "the controller manager's --node-monitor-grace-period",
    );
    expect(await controllerManagerFlag(client, 'no-such-flag')).to.equal(undefined);
  });

  it('deleteAndWaitGone on something absent says so without waiting', async () => {
    const gone = await deleteAndWaitGone(client, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'never-created', namespace: NS },
    });
    expect(gone).to.deep.equal({ existed: false, goneAfterMs: 0 });
  });
});
