import { z } from 'zod';
import { MAX } from '../../time/duration.js';
import { checked, dnsLabel, duration, oneOf, section, text } from '../../config/schema-parts.js';
import {
  checkImageReference,
  checkNodeDirectory,
  DEFAULT_LOOP_DEVICE_SETTINGS as LOOP_DEFAULTS,
  loopFileBytes,
} from './loop-device-settings.js';
import { PX_AGENT_STOP_METHODS } from './portworx-agent-stop.js';
import { PX_INSTALL_DEFAULTS } from './px-install-settings.js';
import { PX_PROVISIONER_SETTINGS } from './px-provisioner.js';
import { PX_POD_NAMESPACES } from './px-pod-namespaces.js';
import type { DriverConfigSection } from '../postgres-on-k8s/storage-driver-profile.js';

/**
 * The portworx driver's own section of the config file, `portworx:` (documented by
 * `pxchaos.example.yaml`): the settings of the driver beyond the StatefulSet's (which are `kube`).
 * The config schema takes it from the driver (portworx-driver.ts) through the registry.
 */

/**
 * The loop devices Portworx gets as drives on kind or VMs without spare disks (workshop-style,
 * loop-device-daemonset.ts). These values go into a root script on every node: checked here with
 * the renderer's own checks, and shell-quoted there.
 */
const loopDevicesSchema = section({
  /**
   * Whether a run provisions them (and `pxchaos teardown` removes them): off by default, since a
   * cluster with real disks for Portworx needs none.
   */
  enabled: z.boolean({ error: 'expected true or false' }).prefault(false),
  namespace: dnsLabel('a namespace name').prefault(LOOP_DEFAULTS.namespace),
  directory: checked(
    'expected an absolute directory on the nodes, other than /, without ".." or newlines',
    checkNodeDirectory,
  ).prefault(LOOP_DEFAULTS.directory),
  size: checked(
    'expected a size of at least 1Gi, a whole number with an optional unit (like 10Gi or 20G; Ki Mi Gi Ti K M G T)',
    loopFileBytes,
  ).prefault(LOOP_DEFAULTS.size),
  /** A device-mapper linear device over each loop device, so the drive-offline fault can fail it. */
  deviceMapper: z.boolean({ error: 'expected true or false' }).prefault(LOOP_DEFAULTS.deviceMapper),
  image: checked('expected a container image reference without spaces', checkImageReference).prefault(
    LOOP_DEFAULTS.image,
  ),
  initImage: checked('expected a container image reference without spaces', checkImageReference).prefault(
    LOOP_DEFAULTS.initImage,
  ),
});

/**
 * Installing Portworx itself (px-install-objects.ts): off by default, since most users already run
 * PX. From `specFile` (what Portworx's spec generator emits) when set, else an Operator
 * StorageCluster rendered from these settings (the Operator itself must be installed).
 */
const pxInstallSchema = section({
  enabled: z.boolean({ error: 'expected true or false' }).prefault(false),
  /** A multi-document YAML spec; relative to the config file (PORTWORX_CONFIG's filePaths). */
  specFile: text('a spec file path').optional(),
  /** The StorageCluster's name (PX's cluster name) and namespace when no specFile is given. */
  clusterName: dnsLabel('a cluster name').prefault(PX_INSTALL_DEFAULTS.clusterName),
  namespace: dnsLabel('a namespace name').prefault(PX_INSTALL_DEFAULTS.namespace),
  /** The StorageCluster's `spec.image` (the Operator's default when unset). */
  image: checked('expected a container image reference without spaces', checkImageReference).optional(),
  /** torpedo's budget for "PX is up" (portworx.md: 15 min, polled every 10 s). */
  healthTimeout: duration('15m', { min: 10_000, max: MAX.scenario }).prefault('15m'),
}).transform(({ healthTimeout, ...i }) => ({ ...i, healthTimeoutMs: healthTimeout }));

/**
 * Where the PX pods are (find-px-pods.ts). `namespace` out is where to look first (the given one,
 * else kube-system), `namespaceGiven` whether to look there only.
 */
const pxPodsSchema = section({
  namespace: text('a namespace name').optional(),
  labelSelector: text('a label selector').prefault('name=portworx'),
  container: text('a container name').prefault('portworx'),
}).transform(({ namespace, ...pods }) => ({
  ...pods,
  namespace: namespace ?? PX_POD_NAMESPACES[0],
  namespaceGiven: namespace !== undefined,
}));

/** Settings of the portworx storage driver beyond the StatefulSet's (which are `kube`). */
export const portworxSchema = section({
  loopDevices: loopDevicesSchema.prefault({}),
  /**
   * How the agent faults take PX down on a node (portworx-agent-stop.ts): the px/service=stop|start
   * node label and systemctl stop|start portworx (the default, as torpedo does), either alone, or
   * pkill -9 px-storage (within grace only: PX restarts itself).
   */
  agentStop: oneOf(PX_AGENT_STOP_METHODS).prefault('label+systemctl'),
  /**
   * Where the PX pods are, read by exec for PX's node and volume state (px-state-poller.ts). With no
   * namespace they are looked for in kube-system and portworx (find-px-pods.ts), as Stork is.
   */
  pxPods: pxPodsSchema.prefault({}),
  install: pxInstallSchema.prefault({}),
  /**
   * The provisioner of the `portworx-replicated` StorageClass (px-provisioner.ts): `auto` decides
   * from the cluster before anything is applied (pxd.portworx.com where its CSIDriver exists or the
   * install brings it, the in-tree plugin before Kubernetes 1.31, else refused); `csi` or `in-tree`
   * says it outright.
   */
  provisioner: oneOf(PX_PROVISIONER_SETTINGS).prefault('auto'),
  /**
   * A real SCSI disk PX uses (its kernel name, e.g. `sdb`, the same on every node): drive-offline
   * then sets /sys/block/<dev>/device/state to offline (I/O fails; a SCSI disk cannot hang) instead
   * of acting on the loop-device layer's dm device.
   */
  scsiDrive: z
    .string({ error: 'expected a block device kernel name like sdb' })
    .regex(/^[a-z][a-z0-9]{0,31}$/, { error: 'expected a block device kernel name like sdb (no /dev/)' })
    .optional(),
});

export type PortworxSettings = z.output<typeof portworxSchema>;
export type PxInstallSettings = z.output<typeof pxInstallSchema>;

/** What the portworx driver reads of the config: its own section. */
export interface PortworxConfig {
  readonly portworx: PortworxSettings;
}

/** The section as the driver declares it (portworx-driver.ts): its key, schema and file paths. */
export const PORTWORX_CONFIG = {
  key: 'portworx',
  schema: portworxSchema,
  filePaths: [['install', 'specFile']],
} as const satisfies DriverConfigSection<keyof PortworxConfig, PortworxSettings>;

/** Every setting at its default: for a caller that has no config (a test, a detection on its own). */
export function defaultPortworxSettings(): PortworxSettings {
  return portworxSchema.parse({});
}
