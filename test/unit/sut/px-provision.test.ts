import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { objectLabel } from '../../../lib/k8s/apply-objects.js';
import { INSTALLED_BY } from '../../../lib/sut/postgres-on-k8s/installed-by-marker.js';
import {
  provisionPortworx,
  pxProvisionPlan,
  teardownPortworx,
  type PxProvisionOps,
} from '../../../lib/sut/portworx/px-provision.js';
import { PORTWORX_STORAGE_CLASS } from '../../../lib/sut/portworx/portworx-storage-class.js';
import { configSchema } from '../../../lib/pxchaos-config.js';
import type { PortworxSettings } from '../../../lib/sut/portworx/portworx-config.js';

const DEFAULTS = configSchema.parse({}).portworx;
const SETTINGS: PortworxSettings = {
  ...DEFAULTS,
  loopDevices: { ...DEFAULTS.loopDevices, enabled: true },
  install: { ...DEFAULTS.install, enabled: true },
};
const PLAN = pxProvisionPlan(SETTINGS, PORTWORX_STORAGE_CLASS, ['n1', 'n2', 'n3']);
const NODES = ['cp', 'n1', 'n2'];

const unmarked = (o: KubernetesObject): KubernetesObject => {
  const copy = structuredClone(o);
  delete copy.metadata?.annotations?.[INSTALLED_BY];
  return copy;
};

/** Runs `f` as an async step (the operations are promises; the fake answers at once). */
const settle = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);

/**
 * A cluster as a map of object label → the object as stored; every operation is logged in order.
 * `nodeOutput`: what the node-side teardown prints (and exits) on each node.
 */
function fakeCluster(
  stored: readonly KubernetesObject[],
  nodeOutput: (node: string) => { stdout: string; stderr?: string; exitCode?: number } = () => ({
    stdout: '',
  }),
) {
  const objects = new Map(stored.map((o) => [objectLabel(o), o]));
  const calls: string[] = [];
  const ops: PxProvisionOps = {
    read: (o) =>
      settle(() => {
        calls.push(`read ${objectLabel(o)}`);
        return objects.get(objectLabel(o));
      }),
    apply: (o) =>
      settle(() => {
        calls.push(`apply ${objectLabel(o)}`);
        objects.set(objectLabel(o), o);
      }),
    delete: (o) =>
      settle(() => {
        calls.push(`delete ${objectLabel(o)}`);
        objects.delete(objectLabel(o));
      }),
    waitLoopDevices: () =>
      settle(() => {
        calls.push('wait loop devices');
      }),
    installPx: () =>
      settle(() => {
        calls.push('install PX');
        for (const o of PLAN.install ?? []) objects.set(objectLabel(o), o);
      }),
    waitPxUp: () =>
      settle(() => {
        calls.push('wait PX up');
      }),
    uninstallPx: () =>
      settle(() => {
        calls.push('uninstall PX');
        const there = (PLAN.install ?? []).some((o) => objects.has(objectLabel(o)));
        for (const o of PLAN.install ?? []) objects.delete(objectLabel(o));
        return there
          ? { done: true, how: `px/enabled=remove on ${NODES.join(', ')}` }
          : { done: false, reason: 'none of the install objects exist' };
      }),
    nodes: () => Promise.resolve(NODES),
    onNode: (node, argv) =>
      settle(() => {
        calls.push(`on ${node}`);
        const out = nodeOutput(node);
        return {
          node,
          argv,
          stdout: out.stdout,
          stderr: out.stderr ?? '',
          exitCode: out.exitCode ?? 0,
          durationMs: 1,
        };
      }),
  };
  return { ops, calls, objects };
}

const DS = objectLabel(PLAN.loopDevices!);
const SC = `StorageClass ${PORTWORX_STORAGE_CLASS}`;
const PX = objectLabel(PLAN.install![0]!);

describe('Portworx provisioning and teardown decisions', () => {
  it('plans only what the config enables: loop devices, PX and our StorageClass each on their own', () => {
    const none = pxProvisionPlan(DEFAULTS, 'fast-ssd', ['n1']);
    expect(none).to.deep.equal({});
    expect(Object.keys(PLAN).sort()).to.deep.equal([
      'install',
      'loopDevices',
      'loopTeardownArgv',
      'storageClass',
    ]);
    for (const o of [PLAN.loopDevices!, PLAN.storageClass!, ...PLAN.install!])
      expect(o.metadata?.annotations?.[INSTALLED_BY], objectLabel(o)).to.equal('pxchaos');
  });

  it('provisions a fresh cluster in order: loop devices and their wait, PX, then the StorageClass', async () => {
    const { ops, calls } = fakeCluster([]);
    const lines: string[] = [];
    await provisionPortworx(PLAN, ops, (l) => lines.push(l));
    expect(calls).to.deep.equal([
      `read ${DS}`,
      `apply ${DS}`,
      'wait loop devices',
      `read ${PX}`,
      'install PX',
      `read ${SC}`,
      `apply ${SC}`,
    ]);
    expect(lines).to.deep.equal([`loop devices: created ${DS}`, `created ${SC}`]);
  });

  it('a second provisioning reuses everything, applies nothing, and still waits for health', async () => {
    const cluster = fakeCluster([]);
    await provisionPortworx(PLAN, cluster.ops, () => undefined);
    const again = fakeCluster([...cluster.objects.values()]);
    const lines: string[] = [];
    await provisionPortworx(PLAN, again.ops, (l) => lines.push(l));
    expect(again.calls.filter((c) => c.startsWith('apply') || c === 'install PX')).to.deep.equal([]);
    expect(again.calls).to.include.members(['wait loop devices', 'wait PX up']);
    expect(lines).to.deep.equal([
      `loop devices: ${DS} already there (created by pxchaos): reusing it`,
      'Portworx: already installed by pxchaos (1 objects): reusing it',
      `${SC} already there (created by pxchaos): reusing it`,
    ]);
  });

  it("uses the user's PX and StorageClass as they are, and its teardown leaves them (and a foreign DaemonSet's nodes) alone", async () => {
    const theirs = [unmarked(PLAN.loopDevices!), unmarked(PLAN.install![0]!), unmarked(PLAN.storageClass!)];
    const { ops, calls } = fakeCluster(theirs);
    const lines: string[] = [];
    await provisionPortworx(PLAN, ops, (l) => lines.push(l));
    expect(calls).not.to.include.members(['install PX', 'wait PX up']);
    expect(lines[1]).to.match(
      /^Portworx: its objects are already there, not created by pxchaos \(no pxchaos.io\/installed-by annotation\): used as it is/,
    );

    const down = fakeCluster(theirs);
    const teardown: string[] = [];
    // The real uninstall refuses a foreign PX itself; the stand-in here answers as it would.
    down.ops.uninstallPx = () =>
      Promise.resolve({
        done: false,
        reason: 'Portworx was not installed by pxchaos: left alone',
      });
    const result = await teardownPortworx(PLAN, down.ops, (l) => teardown.push(l));
    expect(result.removedAnything).to.equal(false);
    expect(down.calls.filter((c) => c.startsWith('delete') || c.startsWith('on '))).to.deep.equal([]);
    expect(teardown.at(-1)).to.equal('nothing to tear down: nothing pxchaos provisioned is left');
  });

  it('tears down in order: PX uninstall, the DaemonSet, each node, the StorageClass', async () => {
    const cluster = fakeCluster([]);
    await provisionPortworx(PLAN, cluster.ops, () => undefined);
    const down = fakeCluster([...cluster.objects.values()], (node) => ({
      stdout: `pxchaos-px-loop: removed /var/lib/pxchaos/px-${node}.img\n`,
    }));
    const lines: string[] = [];
    expect((await teardownPortworx(PLAN, down.ops, (l) => lines.push(l))).removedAnything).to.equal(true);
    expect(down.calls).to.deep.equal([
      'uninstall PX',
      `read ${DS}`,
      `delete ${DS}`,
      ...NODES.map((n) => `on ${n}`),
      `read ${SC}`,
      `delete ${SC}`,
    ]);
    expect(lines).to.deep.equal([
      `Portworx: uninstalled (px/enabled=remove on ${NODES.join(', ')})`,
      `loop devices: deleted ${DS}`,
      ...NODES.map((n) => `loop devices on ${n}: detached and removed /var/lib/pxchaos/px-${n}.img`),
      `deleted ${SC}`,
    ]);

    // Again: nothing is left, every step says so, and the nodes are still looked at (a failed
    // earlier teardown may have deleted the DaemonSet but not the files).
    const again = fakeCluster([...down.objects.values()]);
    const second: string[] = [];
    expect((await teardownPortworx(PLAN, again.ops, (l) => second.push(l))).removedAnything).to.equal(false);
    expect(again.calls.filter((c) => c.startsWith('on '))).to.have.length(NODES.length);
    expect(second).to.deep.equal([
      'Portworx: none of the install objects exist',
      `loop devices: no ${DS}`,
      ...NODES.map((n) => `loop devices on ${n}: no backing file`),
      `no ${SC}`,
      'nothing to tear down: nothing pxchaos provisioned is left',
    ]);
  });

  it('a node whose files stay fails the teardown, after every other step ran', async () => {
    const cluster = fakeCluster([]);
    await provisionPortworx(PLAN, cluster.ops, () => undefined);
    const down = fakeCluster([...cluster.objects.values()], (node) =>
      node === 'n1'
        ? {
            stdout: '',
            stderr: 'pxchaos-px-loop: could not detach /dev/loop7; /var/lib/pxchaos/px-n1.img kept',
            exitCode: 1,
          }
        : { stdout: '' },
    );
    let error: Error | undefined;
    await teardownPortworx(PLAN, down.ops, () => undefined).catch((err: Error) => (error = err));
    expect(error?.message).to.equal(
      'teardown incomplete: node n1: pxchaos-px-loop: could not detach /dev/loop7; /var/lib/pxchaos/px-n1.img kept',
    );
    expect(down.calls.at(-1)).to.equal(`delete ${SC}`);
  });
});
