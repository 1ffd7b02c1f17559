import type { z } from 'zod';
import type { KubeSettings } from '../../config/config-schema.js';
import { GLUSTER_DRIVER } from '../gluster/gluster-driver.js';
import { LOCAL_DRIVER } from '../local/local-driver.js';
import { PORTWORX_DRIVER } from '../portworx/portworx-driver.js';
import type { SutFaultCommands } from '../sut.js';
import type { PostgresK8sSettings } from './postgres-k8s-settings.js';
import { TARGET_IMAGE_PLACEHOLDER, type StorageDriverProfile } from './storage-driver-profile.js';

export { TARGET_IMAGE_PLACEHOLDER, type StorageDriverProfile } from './storage-driver-profile.js';

/**
 * The storage drivers under the Postgres StatefulSet, one line each (its name: its profile's): a
 * driver is its folder's profile, its config section included. Everything below (the names
 * `kube.sut` and `plan --sut` accept, the config schema's driver sections, the lookups) follows.
 */
const REGISTRY = {
  gluster: GLUSTER_DRIVER,
  portworx: PORTWORX_DRIVER,
  local: LOCAL_DRIVER,
} as const;

export type StorageDriver = keyof typeof REGISTRY;
/** A driver as declared in its folder (its config section's own types kept). */
type Driver = (typeof REGISTRY)[StorageDriver];

/** The config section a driver declares, if any (never for none: the helpers below distribute over it). */
type SectionOf<D> = D extends { readonly config?: infer S } ? NonNullable<S> : never;
type KeyOf<S> = S extends { readonly key: infer K extends string } ? K : never;
type SchemaOf<S> = S extends { readonly schema: infer Z extends z.ZodType } ? Z : never;
type SectionKey<D> = KeyOf<SectionOf<D>>;
type SectionSchema<D> = SchemaOf<SectionOf<D>>;

/** What the drivers read of the config: each one's own section, under its key (`portworx`). */
export type DriverConfig = { readonly [D in Driver as SectionKey<D>]: z.output<SectionSchema<D>> };

/** The config schema's part from the drivers: each section's schema under its key, `{}` when absent. */
export type DriverConfigShape = {
  readonly [D in Driver as SectionKey<D>]: z.ZodPrefault<SectionSchema<D>>;
};

/** The drivers by name, as the code around them sees them: their hooks take `DriverConfig`. */
export const STORAGE_DRIVER_PROFILES: {
  readonly [N in StorageDriver]: StorageDriverProfile<N, DriverConfig>;
} = REGISTRY;

const DRIVERS: readonly StorageDriverProfile<StorageDriver, DriverConfig>[] =
  Object.values(STORAGE_DRIVER_PROFILES);

/** Every driver's name, in the registry's order: what `kube.sut` and `plan --sut` accept. */
export const STORAGE_DRIVERS: readonly StorageDriver[] = DRIVERS.map((d) => d.name);

/** The drivers' config sections for the config schema (lib/pxchaos-config.ts composes it). */
export function driverConfigShape(): DriverConfigShape {
  const shape = Object.fromEntries(
    DRIVERS.flatMap((d) => (d.config ? [[d.config.key, d.config.schema.prefault({})]] : [])),
  );
  // Object.fromEntries loses the keys' types; each entry is its driver's declared section, as the type says.
  return shape as DriverConfigShape;
}

/** The keys of the drivers' sections that are local file paths (`['portworx', 'install', 'specFile']`). */
export const DRIVER_CONFIG_FILE_PATHS: readonly (readonly string[])[] = DRIVERS.flatMap(({ config }) =>
  config ? (config.filePaths ?? []).map((p) => [config.key, ...p]) : [],
);

/** `value` names a driver (a flag's text, say). */
export function isStorageDriver(value: string): value is StorageDriver {
  return (STORAGE_DRIVERS as readonly string[]).includes(value);
}

/**
 * The driver's side of its faults with the config's settings: a run's Sut, `pxchaos inject`'s fault
 * surface and `pxchaos plan` all take them from here, so one driver verifies a partition on one port.
 */
export function driverFaultCommands(driver: StorageDriver, config: DriverConfig): SutFaultCommands {
  const profile = STORAGE_DRIVER_PROFILES[driver];
  return {
    agentCommands: (node) => profile.agent(node, config),
    driveCommands: (node) => profile.drive(node, config),
    partitionProbePort: profile.partitionProbePort,
  };
}

/**
 * The config's `kube` section completed with the driver's defaults. `targetImage`: the Postgres image
 * the target built (the kube lab's `KubeImages.postgres`), in place of the placeholder when the config names none.
 */
export function postgresK8sSettings(
  kube: KubeSettings,
  driver: StorageDriver,
  targetImage?: string,
): PostgresK8sSettings {
  const profile = STORAGE_DRIVER_PROFILES[driver];
  const schedulerName = kube.schedulerName ?? profile.schedulerName;
  const { cpuRequest, memoryRequest, cpuLimit, memoryLimit } = kube.resources;
  const defaultImage =
    profile.image.ref === TARGET_IMAGE_PLACEHOLDER && targetImage ? targetImage : profile.image.ref;
  return {
    namespacePrefix: kube.namespacePrefix,
    image: kube.image ?? defaultImage,
    imagePullPolicy: kube.imagePullPolicy ?? (kube.image ? 'IfNotPresent' : profile.image.pullPolicy),
    storageClass: kube.storageClass ?? profile.storageClass,
    storageSize: kube.storageSize,
    ...(schedulerName !== undefined && { schedulerName }),
    tolerationMs: kube.tolerationMs,
    resources: {
      requests: { cpu: cpuRequest, memory: memoryRequest },
      limits: { ...(cpuLimit !== undefined && { cpu: cpuLimit }), memory: memoryLimit },
    },
    ...(kube.nodeSelector && { nodeSelector: kube.nodeSelector }),
    ...(kube.nodePort !== undefined && { nodePort: kube.nodePort }),
  };
}
