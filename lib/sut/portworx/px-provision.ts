import type { KubernetesObject, V1DaemonSet, V1StorageClass } from '@kubernetes/client-node';
import { objectLabel } from '../../k8s/apply-objects.js';
import type { ExecResult } from '../../nodes/exec-result.js';
import { PxchaosError } from '../../errors.js';
import type { PortworxSettings } from './portworx-config.js';
import { loopDeviceDrives } from './loop-device-daemonset.js';
import { INSTALLED_BY, isInstalledByHarness, markInstalled } from '../postgres-on-k8s/installed-by-marker.js';
import { pxInstallObjects } from './px-install-objects.js';
import { plannedPxProvisioner } from './px-provisioner.js';
import type { PxUninstallOutcome } from './px-uninstall.js';
import { PORTWORX_STORAGE_CLASS, portworxStorageClass } from './portworx-storage-class.js';

/**
 * What a run provisions for Portworx before it arranges Postgres, and what `pxchaos teardown`
 * undoes, as decisions over a few operations (PxProvisionOps: the cluster in a run, a stand-in in
 * the unit tests). Everything the harness creates carries the annotation pxchaos.io/installed-by
 * (lib/sut/postgres-on-k8s/installed-by-marker.ts), and the teardown removes only what carries it: a DaemonSet, a
 * StorageClass or a Portworx the user made stays. The loop devices' backing files are named by the
 * harness (`px-<node>.img` in portworx.loopDevices.directory) and made only by its DaemonSet.
 */

/** What the config asks for; each part undefined when not asked (or, for the class, not ours). */
export interface PxProvisionPlan {
  /** The loop-device DaemonSet, marked (portworx.loopDevices.enabled). */
  readonly loopDevices?: V1DaemonSet;
  /** Run on every node after the DaemonSet is gone: detach, dm remove, delete the backing file. */
  readonly loopTeardownArgv?: readonly string[];
  /** Portworx's objects, marked (portworx.install.enabled). */
  readonly install?: readonly KubernetesObject[];
  /** `portworx-replicated`, marked, when the StatefulSet uses it. */
  readonly storageClass?: V1StorageClass;
}

/**
 * The plan from the config. `nodes`: the names a rendered StorageCluster lists (a read needs only
 * its name); `provisioner`: the StorageClass's, as chosen for the cluster (px-provisioner-kube.ts;
 * default: what the config alone decides, a placeholder otherwise: enough to read or delete it).
 */
export function pxProvisionPlan(
  settings: PortworxSettings,
  storageClass: string,
  nodes: readonly string[],
  provisioner?: string,
): PxProvisionPlan {
  const drives = settings.loopDevices.enabled ? loopDeviceDrives(settings.loopDevices) : undefined;
  const install = settings.install.enabled ? pxInstallObjects(settings, nodes).objects : undefined;
  return {
    ...(drives && {
      loopDevices: markInstalled(drives.daemonSet),
      loopTeardownArgv: drives.teardown.nodeArgv,
    }),
    ...(install && { install }),
    ...(storageClass === PORTWORX_STORAGE_CLASS && {
      storageClass: markInstalled(
        portworxStorageClass(
          provisioner ?? plannedPxProvisioner(settings.provisioner, install ?? []).provisioner,
        ),
      ),
    }),
  };
}

/** What provisioning and teardown act through. */
export interface PxProvisionOps {
  /** The object as the cluster has it, or undefined when absent. */
  read(object: KubernetesObject): Promise<KubernetesObject | undefined>;
  apply(object: KubernetesObject): Promise<void>;
  /** Deletes and waits until it is gone. */
  delete(object: KubernetesObject): Promise<void>;
  /** Until the DaemonSet's pod is Ready on every node it selects (progress lines; throws past the deadline). */
  waitLoopDevices(ds: V1DaemonSet): Promise<void>;
  /** Preflight, apply and torpedo's PX-is-up wait (installPortworx). */
  installPx(): Promise<void>;
  /** torpedo's PX-is-up wait alone, for a PX the harness installed earlier. */
  waitPxUp(): Promise<void>;
  /** The documented uninstall, which itself refuses a PX the harness did not install. */
  uninstallPx(): Promise<PxUninstallOutcome>;
  /** Every Kubernetes node's name (the loop-device DaemonSet tolerates tainted nodes too). */
  nodes(): Promise<string[]>;
  onNode(node: string, argv: readonly string[]): Promise<ExecResult>;
}

const ours = (o: KubernetesObject | undefined): string =>
  isInstalledByHarness(o) ? 'created by pxchaos' : `not created by pxchaos (no ${INSTALLED_BY} annotation)`;

/**
 * Provisions in order: loop devices (then their pods Ready on every node), Portworx (preflight,
 * install, health), the StorageClass. Idempotent: what is there is reused, one line saying so.
 */
export async function provisionPortworx(
  plan: PxProvisionPlan,
  ops: PxProvisionOps,
  progress: (line: string) => void,
): Promise<void> {
  if (plan.loopDevices) {
    const ds = plan.loopDevices;
    const live = await ops.read(ds);
    if (live) progress(`loop devices: ${objectLabel(ds)} already there (${ours(live)}): reusing it`);
    else {
      await ops.apply(ds);
      progress(`loop devices: created ${objectLabel(ds)}`);
    }
    await ops.waitLoopDevices(ds);
  }
  if (plan.install) {
    const live = await Promise.all(plan.install.map((o) => ops.read(o)));
    const present = live.filter((o) => o !== undefined);
    if (present.length === 0) await ops.installPx();
    else if (present.every(isInstalledByHarness)) {
      // A part missing (an interrupted install): applied again, which leaves the rest as it is.
      if (present.length < plan.install.length) {
        for (const o of plan.install) await ops.apply(o);
        progress(`Portworx: ${present.length}/${plan.install.length} objects were there; applied the rest`);
      } else progress(`Portworx: already installed by pxchaos (${present.length} objects): reusing it`);
      await ops.waitPxUp();
    } else
      progress(
        `Portworx: its objects are already there, ${ours(present.find((o) => !isInstalledByHarness(o)))}: used as it is, not installed`,
      );
  }
  if (plan.storageClass) {
    const live = await ops.read(plan.storageClass);
    if (live) progress(`${objectLabel(plan.storageClass)} already there (${ours(live)}): reusing it`);
    else {
      await ops.apply(plan.storageClass);
      progress(`created ${objectLabel(plan.storageClass)}`);
    }
  }
}

/** The node-side teardown printed these for the files it removed. */
const REMOVED = /^pxchaos-px-loop: removed (.+)$/;

/**
 * Undoes what the harness provisioned, in order: Portworx (the documented uninstall, only a PX it
 * installed), the loop-device DaemonSet (first, or a restarted pod would attach again), the loop
 * devices on every node (dm device, loop device, backing file), the StorageClass. One line per
 * step; a node whose files could not all be removed fails the teardown after the other steps ran.
 */
export async function teardownPortworx(
  plan: PxProvisionPlan,
  ops: PxProvisionOps,
  progress: (line: string) => void,
): Promise<{ removedAnything: boolean }> {
  let removed = false;
  if (plan.install) {
    const outcome = await ops.uninstallPx();
    if (outcome.done) {
      removed = true;
      progress(`Portworx: uninstalled (${outcome.how})`);
    } else progress(`Portworx: ${outcome.reason}`);
  }
  const failures: string[] = [];
  if (plan.loopDevices) {
    const ds = plan.loopDevices;
    const live = await ops.read(ds);
    if (live && !isInstalledByHarness(live))
      progress(`loop devices: ${objectLabel(ds)} ${ours(live)}: left alone, and its nodes' files too`);
    else {
      if (live) {
        await ops.delete(ds);
        removed = true;
        progress(`loop devices: deleted ${objectLabel(ds)}`);
      } else progress(`loop devices: no ${objectLabel(ds)}`);
      for (const node of await ops.nodes()) {
        const r = await ops.onNode(node, plan.loopTeardownArgv ?? []).catch((err: unknown): ExecResult => ({
          node,
          argv: plan.loopTeardownArgv ?? [],
          exitCode: -1,
          stdout: '',
          stderr: (err as Error).message,
          durationMs: 0,
        }));
        const files = r.stdout
          .split('\n')
          .map((l) => REMOVED.exec(l)?.[1])
          .filter((f) => f !== undefined);
        if (files.length) removed = true;
        const problem = r.exitCode !== 0 ? r.stderr.trim().split('\n').at(-1) || `exit ${r.exitCode}` : '';
        if (problem) failures.push(`node ${node}: ${problem}`);
        progress(
          `loop devices on ${node}: ${files.length ? `detached and removed ${files.join(', ')}` : 'no backing file'}${problem ? `; ${problem}` : ''}`,
        );
      }
    }
  }
  if (plan.storageClass) {
    const live = await ops.read(plan.storageClass);
    if (!live) progress(`no ${objectLabel(plan.storageClass)}`);
    else if (!isInstalledByHarness(live))
      progress(`${objectLabel(plan.storageClass)} ${ours(live)}: left alone`);
    else {
      await ops.delete(plan.storageClass);
      removed = true;
      progress(`deleted ${objectLabel(plan.storageClass)}`);
    }
  }
  if (failures.length) throw new PxchaosError(`teardown incomplete: ${failures.join('; ')}`, 1);
  if (!removed) progress('nothing to tear down: nothing pxchaos provisioned is left');
  return { removedAnything: removed };
}
