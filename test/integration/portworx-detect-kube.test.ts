/**
 * detectPortworx against a real Kubernetes API server: the kube lab's (Kubernetes 1.20, kubeadm).
 *
 * Real: the API server and everything it does with the requests — the GETs of `stork` in
 * kube-system and portworx (404 there: the lab has no Portworx), the paged list of every
 * namespace's Deployments, the StorageClass read and its 404 —, the objects as the server stores and
 * serves them (defaults filled in, status written by the Deployment controller), and authorization
 * (RBAC) with the lab's kubeadm admin credentials.
 * Stand-in: Stork itself, which never runs. Its Deployment is the recorded workshop one
 * (../shared/fixtures/portworx, stork 2.4.0) in the namespace `pxchaos-pxdetect-it`, with 0
 * replicas so no pod is ever created, and imagePullPolicy Never as a guard should one be. Its image
 * stays `openstorage/stork:2.4.0`, which no node holds: Stork's version is read from that tag, and
 * with no pod nothing pulls it. The StorageClass `pxchaos-pxdetect-it` (repl "2", Portworx's
 * provisioner) exists only to be read: no claim uses it, and without Portworx none could be bound.
 */
import type { KubernetesObject, V1Deployment, V1StorageClass } from '@kubernetes/client-node';
import { expect } from 'chai';
import { applyObjects } from '../../lib/k8s/apply-objects.js';
import { deleteAndWaitGone } from '../../lib/k8s/delete-objects.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { EnvironmentError } from '../../lib/errors.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../lib/sut/postgres-on-k8s/run-namespace.js';
import { describePortworxDetection, detectPortworx } from '../../lib/sut/portworx/detect-portworx.js';
import { PX_IN_TREE_PROVISIONER } from '../../lib/sut/portworx/px-provisioner.js';
import { recordedStork, WORKSHOP_DETECTED } from '../support/px-kube-api.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';

const LAB = SHARED_KUBE_LAB;
const NAME = 'pxchaos-pxdetect-it';
const log = (line: string): void => console.log(`      ${line}`);

const namespace: KubernetesObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: NAME, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
};

/** The recorded Stork Deployment, moved to the test namespace and kept from ever starting a pod. */
function standInStork(): V1Deployment {
  const d = recordedStork();
  const spec = d.spec!;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...d.metadata, namespace: NAME },
    spec: {
      ...spec,
      replicas: 0,
      template: {
        ...spec.template,
        spec: {
          ...spec.template.spec!,
          containers: spec.template.spec!.containers.map((c) => ({ ...c, imagePullPolicy: 'Never' })),
        },
      },
    },
  };
}

const storageClass: V1StorageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: NAME, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
  provisioner: PX_IN_TREE_PROVISIONER,
  parameters: { repl: '2', priority_io: 'high' },
};

describe('detectPortworx on the kube lab (real API server; Stork a stand-in that never runs)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let client: KubeClient | undefined;

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    log(`kube lab ${LAB}: ${up.outcome} in ${(up.durationMs / 1000).toFixed(1)} s`);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
    await applyObjects(client, [namespace, standInStork(), storageClass]);
  });

  after(async () => {
    if (!client) return;
    for (const object of [storageClass, namespace])
      await deleteAndWaitGone(client, object, { timeoutMs: 180_000 }).catch((err: unknown) =>
        log(`cleanup: ${(err as Error).message}`),
      );
  });

  it('finds the stand-in Stork by its container outside the usual namespaces, and reads repl "2"', async () => {
    const found = await detectPortworx(client!, NAME, AbortSignal.timeout(60_000));
    log(describePortworxDetection(found));
    expect(found.detected).to.deep.equal(WORKSHOP_DETECTED);
    expect(found.stork).to.include({ ref: `${NAME}/stork`, how: 'listed across namespaces' });
    expect(found.storageClass).to.include({ name: NAME, provisioner: PX_IN_TREE_PROVISIONER });
    // Served as stored: 0 replicas asked, none ready.
    expect(describePortworxDetection(found)).to.include(
      '(openstorage/stork:2.4.0, 0/0 ready; listed across namespaces)',
    );
  });

  it('a StorageClass the cluster does not have: an error naming it', async () => {
    const err = await detectPortworx(client!, `${NAME}-missing`).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).to.be.instanceOf(EnvironmentError);
    expect(err?.message).to.match(new RegExp(`^StorageClass ${NAME}-missing not found in the cluster: `));
  });

  it('once the stand-in is gone: no Stork, not an error', async () => {
    await deleteAndWaitGone(client!, standInStork(), { timeoutMs: 120_000 });
    const found = await detectPortworx(client!, NAME);
    expect(found.detected.stork.present).to.equal(false);
    expect(found.stork).to.equal(undefined);
  });
});
