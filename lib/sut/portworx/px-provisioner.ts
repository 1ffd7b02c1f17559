import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * Which provisioner the `portworx-replicated` StorageClass names: Portworx's CSI driver or the
 * in-tree plugin, and why. Kubernetes facts:
 * - `CSIMigrationPortworx` routes every operation of the in-tree `kubernetes.io/portworx-volume`
 *   to the CSI driver `pxd.portworx.com`: alpha 1.23, beta off by default 1.25–1.30, beta **on by
 *   default from 1.31**, GA and **locked on from 1.33** (kubernetes/kubernetes
 *   pkg/features/kube_features.go @ b0b89d3b; kubernetes/website feature-gates/CSIMigrationPortworx.md
 *   @ 02e08b9e: "Requires Portworx CSI driver to be installed and configured in the cluster").
 *   kubernetes/website concepts/storage/volumes.md, "Portworx CSI migration": on by default since
 *   v1.31; to turn it off set the gate to false "for the kube-controller-manager **and** on every
 *   relevant kubelet"; the `pxd.portworx.com` driver "must be installed on the cluster".
 * - `InTreePluginPortworxUnregister` (alpha since 1.23, off by default) only stops registering the
 *   in-tree plugin (KEP-2589): it is not what sends the in-tree class to CSI.
 * So from 1.31 an in-tree class provisions only where `pxd.portworx.com` runs; without it the
 * claims stay Pending for ever. Where the CSI driver runs, its own name is used.
 */
export const PX_CSI_PROVISIONER = 'pxd.portworx.com';
export const PX_IN_TREE_PROVISIONER = 'kubernetes.io/portworx-volume';
/** First minor of Kubernetes 1.x whose CSIMigrationPortworx default is on; and from which it is locked. */
export const CSI_MIGRATION_ON_BY_DEFAULT = 31;
export const CSI_MIGRATION_LOCKED = 33;

/** config `portworx.provisioner`. */
export const PX_PROVISIONER_SETTINGS = ['auto', 'csi', 'in-tree'] as const;
export type PxProvisionerSetting = (typeof PX_PROVISIONER_SETTINGS)[number];

const ENABLE_CSI = 'enable Portworx CSI (StorageCluster spec.csi.enabled: true)';

/** What the choice rests on; the cluster's part is read before anything is applied. */
export interface PxProvisionerFacts {
  readonly setting: PxProvisionerSetting;
  /** Why the install pxchaos applies brings the CSI driver (pxdInstallBringsCsi), if it does. */
  readonly installBringsCsi?: string;
  /** Whether the cluster has the CSIDriver `pxd.portworx.com` (storage.k8s.io/v1). */
  readonly csiDriver: boolean;
  /** The API server's gitVersion, e.g. `v1.31.2` or `v1.30.4+k3s1`. */
  readonly serverVersion: string;
}

export type PxProvisionerChoice =
  { readonly provisioner: string; readonly reason: string } | { readonly refusal: string };

/** Kubernetes 1.x's minor from a gitVersion, undefined when it is not `v1.<minor>…`. */
export function kubeMinor(gitVersion: string): number | undefined {
  const m = /^v?1\.(\d+)(?:\.|$|[-+])/.exec(gitVersion.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * The provisioner for `storageClass`, or a one-line refusal: `pxd.portworx.com` where the CSIDriver
 * exists or the install brings it; the in-tree name where Kubernetes still serves it (before 1.31)
 * or the config asks for it (refused from 1.33 without the CSIDriver: the migration is locked on).
 */
export function choosePxProvisioner(facts: PxProvisionerFacts, storageClass: string): PxProvisionerChoice {
  const { setting, installBringsCsi, csiDriver, serverVersion } = facts;
  const csi = installBringsCsi ?? (csiDriver ? `the cluster has CSIDriver ${PX_CSI_PROVISIONER}` : undefined);
  if (setting === 'csi')
    return {
      provisioner: PX_CSI_PROVISIONER,
      reason: `portworx.provisioner: csi${csi ? `; ${csi}` : `; no CSIDriver ${PX_CSI_PROVISIONER} yet, so claims stay Pending until Portworx CSI runs`}`,
    };
  const minor = kubeMinor(serverVersion);
  if (setting === 'in-tree') {
    if (csi) return { provisioner: PX_IN_TREE_PROVISIONER, reason: `portworx.provisioner: in-tree; ${csi}` };
    if (minor !== undefined && minor >= CSI_MIGRATION_LOCKED)
      return {
        refusal: `StorageClass ${storageClass}: portworx.provisioner: in-tree cannot work on Kubernetes ${serverVersion}: from 1.${CSI_MIGRATION_LOCKED} CSIMigrationPortworx is locked on and hands ${PX_IN_TREE_PROVISIONER} to ${PX_CSI_PROVISIONER}, and the cluster has no CSIDriver ${PX_CSI_PROVISIONER}: ${ENABLE_CSI}`,
      };
    return {
      provisioner: PX_IN_TREE_PROVISIONER,
      reason:
        minor !== undefined && minor < CSI_MIGRATION_ON_BY_DEFAULT
          ? `portworx.provisioner: in-tree; Kubernetes ${serverVersion} serves it itself`
          : `portworx.provisioner: in-tree on Kubernetes ${serverVersion}: claims bind only with CSIMigrationPortworx=false on kube-controller-manager and every kubelet`,
    };
  }
  if (csi) return { provisioner: PX_CSI_PROVISIONER, reason: csi };
  if (minor === undefined)
    return {
      refusal: `StorageClass ${storageClass}: cannot read the Kubernetes version from "${serverVersion}", and the cluster has no CSIDriver ${PX_CSI_PROVISIONER}: ${ENABLE_CSI}, or set portworx.provisioner`,
    };
  if (minor < CSI_MIGRATION_ON_BY_DEFAULT)
    return {
      provisioner: PX_IN_TREE_PROVISIONER,
      reason: `Kubernetes ${serverVersion} serves it itself (CSIMigrationPortworx is off by default before 1.${CSI_MIGRATION_ON_BY_DEFAULT}) and the cluster has no CSIDriver ${PX_CSI_PROVISIONER}`,
    };
  return {
    refusal: `StorageClass ${storageClass}: the cluster has no CSIDriver ${PX_CSI_PROVISIONER}, and Kubernetes ${serverVersion} hands ${PX_IN_TREE_PROVISIONER} to it (CSIMigrationPortworx: on by default from 1.${CSI_MIGRATION_ON_BY_DEFAULT}, locked from 1.${CSI_MIGRATION_LOCKED}), so its claims would stay Pending: ${ENABLE_CSI}${minor < CSI_MIGRATION_LOCKED ? ', or set portworx.provisioner: in-tree with CSIMigrationPortworx=false on kube-controller-manager and every kubelet' : ''}`,
  };
}

/**
 * Why the install objects bring Portworx's CSI driver, if they do: a StorageCluster with
 * `spec.csi.enabled: true` (the Operator then creates the CSIDriver `pxd.portworx.com`:
 * libopenstorage/operator drivers/storage/portworx/component/csi.go) or with the older feature gate
 * `spec.featureGates.CSI: "true"` (which the Operator still honours: portworx.go setCSIDefaults), or
 * the CSIDriver itself in a spec file.
 */
export function pxInstallBringsCsi(objects: readonly KubernetesObject[]): string | undefined {
  for (const o of objects) {
    const label = `${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;
    if (o.kind === 'CSIDriver' && o.metadata?.name === PX_CSI_PROVISIONER)
      return `the install creates CSIDriver ${PX_CSI_PROVISIONER}`;
    if (o.kind !== 'StorageCluster') continue;
    const spec = (o as { spec?: { csi?: { enabled?: unknown }; featureGates?: Record<string, unknown> } })
      .spec;
    if (spec?.csi?.enabled === true)
      return `StorageCluster ${label} sets spec.csi.enabled: true, so the Operator creates CSIDriver ${PX_CSI_PROVISIONER}`;
    if (String(spec?.featureGates?.CSI).toLowerCase() === 'true')
      return `StorageCluster ${label} sets spec.featureGates.CSI: "true", so the Operator creates CSIDriver ${PX_CSI_PROVISIONER}`;
  }
  return undefined;
}

/** What a plan (offline) says of the choice: the provisioner when the config decides it, else the rule. */
export function plannedPxProvisioner(
  setting: PxProvisionerSetting,
  install: readonly KubernetesObject[],
): { readonly provisioner: string; readonly reason: string } {
  const brings = pxInstallBringsCsi(install);
  if (setting === 'csi') return { provisioner: PX_CSI_PROVISIONER, reason: 'portworx.provisioner: csi' };
  if (setting === 'in-tree')
    return {
      provisioner: PX_IN_TREE_PROVISIONER,
      reason: `portworx.provisioner: in-tree; a run refuses it on Kubernetes ≥ 1.${CSI_MIGRATION_LOCKED} without CSIDriver ${PX_CSI_PROVISIONER} (CSIMigrationPortworx locked on), and on 1.${CSI_MIGRATION_ON_BY_DEFAULT}–1.${CSI_MIGRATION_LOCKED - 1} its claims bind only with CSIMigrationPortworx=false`,
    };
  if (brings) return { provisioner: PX_CSI_PROVISIONER, reason: brings };
  return {
    provisioner: `<${PX_CSI_PROVISIONER} or ${PX_IN_TREE_PROVISIONER}>`,
    reason: `decided by a run before it applies anything: ${PX_CSI_PROVISIONER} if the cluster has CSIDriver ${PX_CSI_PROVISIONER}; else ${PX_IN_TREE_PROVISIONER} if Kubernetes is older than 1.${CSI_MIGRATION_ON_BY_DEFAULT} (CSIMigrationPortworx off by default); else the run is refused: ${ENABLE_CSI}`,
  };
}
