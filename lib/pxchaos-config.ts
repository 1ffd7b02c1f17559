import type { z } from 'zod';
import { CONFIG_FILE_PATHS, configSchemaWith } from './config/config-schema.js';
import { envVariablesOf } from './config/env-overrides.js';
import { loadConfigWith, type LoadConfigOptions } from './config/load-config.js';
import {
  DRIVER_CONFIG_FILE_PATHS,
  driverConfigShape,
  STORAGE_DRIVERS,
} from './sut/postgres-on-k8s/storage-drivers.js';

/**
 * The configuration as a run reads it: lib/config's base sections composed with the storage
 * drivers the registry lists (their names for `kube.sut`, each one's own section). The one place
 * both meet: lib/config knows no driver, a driver knows only its own section.
 */
export const configSchema = configSchemaWith({ names: STORAGE_DRIVERS, sections: driverConfigShape() });

/** The validated configuration; durations in milliseconds, paths absolute. */
export type PxchaosConfig = z.output<typeof configSchema> & {
  /** The YAML file it came from, if any (absolute path). */
  readonly source?: string;
};

const FILE_PATHS = [...CONFIG_FILE_PATHS, ...DRIVER_CONFIG_FILE_PATHS];

/**
 * Loads the configuration: YAML file, then `PXCHAOS_*` environment overrides, then command-line
 * overrides, validated as a whole (lib/config/load-config.ts).
 */
export function loadConfig(options: LoadConfigOptions = {}): Promise<PxchaosConfig> {
  return loadConfigWith(configSchema, FILE_PATHS, options);
}

/** The names of every supported `PXCHAOS_*` override, for help texts and docs. */
export function envVariableNames(): string[] {
  return envVariablesOf(configSchema);
}
