/**
 * Portworx install, health wait, preflight and uninstall against the kube lab (Kubernetes 1.20,
 * kubeadm, 1 control plane + 3 workers in Docker on one kernel).
 *
 * Real: the API server and controllers (server-side apply of every spec object, the DaemonSet
 * controller placing and removing pods, node label patches, listing and deleting), exec into the
 * pods through the API server (`/opt/pwx/bin/pxctl -j status` really runs in each pod), the
 * preflight's facts (Nodes' Ready/taints/bootID/kernel from the API server; `ss -Htln`,
 * `/dev/loop-control` on each node over `docker exec`), and the node-file removal
 * (`rm -rf /etc/pwx /opt/pwx` on each node container).
 * Stand-in: Portworx itself. The spec file is a workshop-shaped spec (ServiceAccount, ClusterRole,
 * ClusterRoleBinding, a DaemonSet `portworx` labelled name=portworx with a container `portworx`),
 * in a namespace of its own, whose container is the kube lab's Postgres image (nothing can be
 * pulled here) writing a script at /opt/pwx/bin/pxctl that prints `{"status": "STATUS_OK"}` (the
 * JSON shape recorded consumers read: SOURCES.md §2) and then sleeps. Real PX reacts to
 * `px/enabled=remove` by removing itself and relabelling the node `px/enabled=false`; the
 * stand-in's DaemonSet is kept off nodes labelled `remove` by its node affinity instead, so the
 * DaemonSet controller removes the pods.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { applyObjects } from '../../lib/k8s/apply-objects.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import { waitForPxHealth } from '../../lib/sut/portworx/px-health.js';
import { kubePxHealthProbe } from '../../lib/sut/portworx/px-health-probe.js';
import { installedPxPods, uninstallInstalledPortworx } from '../../lib/sut/portworx/px-install-kube.js';
import { pxInstallObjects } from '../../lib/sut/portworx/px-install-objects.js';
import {
  gatherPxPreflightFacts,
  ONE_KERNEL_STATEMENT,
  pxPreflight,
} from '../../lib/sut/portworx/px-preflight.js';
import { standInSpec } from '../support/px-stand-in-spec.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { configSchema } from '../../lib/pxchaos-config.js';
import type { PortworxSettings } from '../../lib/sut/portworx/portworx-config.js';

const NAME = 'pxchaos-pxinstall-it';
const log = (line: string): void => console.log(`      ${line}`);

describe('Portworx install and uninstall on the kube lab (real Kubernetes; PX a stand-in DaemonSet)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let client: KubeClient;
  let settings: PortworxSettings;
  let workers: string[];
  const access = (node: string) => new DockerExecNode(node, node);

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    log(`kube lab ${SHARED_KUBE_LAB}: ${up.outcome}`);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
    const dir = mkdtempSync(join(tmpdir(), 'pxinstall-it-'));
    const specFile = join(dir, 'portworx.yaml');
    writeFileSync(
      specFile,
      standInSpec(up.images.postgres, NAME)
        .map((o) => stringify(o))
        .join('---\n'),
    );
    const defaults = configSchema.parse({}).portworx;
    settings = { ...defaults, install: { ...defaults.install, enabled: true, specFile } };
  });

  // A failed run must not leave the stand-in (or px/enabled labels) on the shared lab.
  after(async () => {
    if (!client || !settings) return;
    const install = pxInstallObjects(settings, workers ?? ['-']);
    const outcome = await uninstallInstalledPortworx(client, settings, install.objects, access, log).catch(
      (err: unknown) => ({ done: false, reason: (err as Error).message }),
    );
    if (outcome.done) log('after: cleaned up a stand-in left by a failed test');
  });

  it('preflight on the real nodes: the control plane is left out, and the shared kernel is stated', async () => {
    const facts = await gatherPxPreflightFacts(client, access);
    const verdict = pxPreflight(facts);
    for (const r of verdict.refusals) log(`preflight: ${r}`);
    workers = verdict.nodes.slice().sort();
    expect(workers).to.deep.equal(up.layout.workers.map((w) => w.name).sort());
    expect(
      facts.every((f) => f.loop === true),
      'loop support on every node',
    ).to.equal(true);
    expect(
      facts.every((f) => Array.isArray(f.listening) && f.listening.includes(10250)),
      'kubelet port seen',
    ).to.equal(true);
    const kernel = verdict.refusals.filter((r) => r.endsWith(ONE_KERNEL_STATEMENT));
    expect(kernel).to.have.length(1);
    expect(kernel[0]).to.match(
      new RegExp(`^nodes ${workers.join(', ')} share one kernel \\(bootID \\S+, kernel \\S+\\): `),
    );
  });

  it('installs from the spec file, waits for PX up on every node, and uninstalls the documented way', async () => {
    const install = pxInstallObjects(settings, workers);
    const pxPods = installedPxPods(settings, install.objects);
    const ns = pxPods.namespace;
    expect(ns).to.equal(NAME);
    // Nothing yet: uninstall does nothing.
    const before = await uninstallInstalledPortworx(client, settings, install.objects, access, log);
    expect(before).to.deep.equal({
      done: false,
      reason: 'none of the install objects exist: nothing to uninstall',
    });

    await applyObjects(client, install.objects);
    const lines: string[] = [];
    const health = await waitForPxHealth(kubePxHealthProbe(client, pxPods, workers), {
      timeoutMs: 300_000,
      // torpedo polls every 10 s; 2 s keeps the test short and shows the polls before the pods are Ready.
      pollMs: 2_000,
      progress: (l) => {
        lines.push(l);
        log(l);
      },
    });
    expect(health.map((h) => h.says)).to.deep.equal(workers.map(() => 'STATUS_OK'));
    expect(lines.at(-1)).to.match(/^PX up on 3\/3 nodes after /);

    // A file where PX keeps its config, to see the node step remove it.
    for (const w of workers)
      expect(
        (await access(w).exec(['sh', '-c', 'mkdir -p /etc/pwx && touch /etc/pwx/config.json'])).exitCode,
      ).to.equal(0);
    const outcome = await uninstallInstalledPortworx(client, settings, install.objects, access, log);
    expect(outcome.done).to.equal(true);
    for (const w of workers)
      expect((await access(w).exec(['test', '-e', '/etc/pwx'], { check: false })).exitCode, w).to.equal(1);
    const pods = await client.core.listNamespacedPod({ namespace: NAME, labelSelector: 'name=portworx' });
    expect(pods.items).to.deep.equal([]);
    const nodes = await client.core.listNode();
    expect(nodes.items.map((n) => n.metadata?.labels?.['px/enabled'])).to.deep.equal(
      nodes.items.map(() => undefined),
    );
    for (const o of install.objects.slice(1)) {
      const gone = await client.objects.read(structuredClone(o) as never).then(
        () => false,
        () => true,
      );
      expect(gone, `${o.kind} ${o.metadata?.name}`).to.equal(true);
    }
  });
});
