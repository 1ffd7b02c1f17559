import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { docker } from '../docker/docker-cli.js';
import { UsageError } from '../errors.js';
import { LAB_LABEL } from '../nodes/docker-label-nodes.js';
import { loadConfig, type PxchaosConfig } from '../pxchaos-config.js';

export interface ResolvedLab {
  readonly name: string;
  /** Named by a flag, the environment or the config file (not the built-in default). */
  readonly explicit: boolean;
  readonly config: PxchaosConfig;
}

export interface ResolveLabOptions {
  /** `--name` / `--lab`. */
  readonly flag?: string | undefined;
  /** `--config FILE` (else PXCHAOS_CONFIG, else pxchaos.yaml). */
  readonly configFile?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** The labs that exist (containers labelled pxchaos.lab); default: asks Docker. */
  readonly existingLabs?: () => Promise<string[]>;
  /** The configuration already loaded by this process (without a flag): not loaded again. */
  readonly loaded?: PxchaosConfig;
}

/**
 * The lab a command works on, resolved the same way for every verb: flag > environment
 * (PXCHAOS_LAB_NAME, or PXCHAOS_LAB) > config file (lab.name) > "pxchaos". When nothing named it and
 * more than one lab exists, guessing could cut the wrong lab's node: refuse (exit 2) and list them.
 */
export async function resolveLab(options: ResolveLabOptions = {}): Promise<ResolvedLab> {
  const env = options.env ?? process.env;
  const config =
    options.flag === undefined && options.loaded
      ? options.loaded
      : await loadConfig({
          ...(options.configFile !== undefined && { file: options.configFile }),
          env,
          ...(options.flag !== undefined && { overrides: { lab: { name: options.flag } } }),
        });
  const explicit =
    options.flag !== undefined ||
    Boolean(env.PXCHAOS_LAB_NAME?.trim() || env.PXCHAOS_LAB?.trim()) ||
    (config.source !== undefined && (await fileNamesLab(config.source)));
  const name = config.lab.name;
  if (!explicit) {
    const labs = await (options.existingLabs ?? existingLabs)();
    if (labs.length > 1) {
      throw new UsageError(
        `${labs.length} labs exist (${labs.join(', ')}) and none was named: pass --name/--lab, ` +
          `set PXCHAOS_LAB or lab.name in the config`,
      );
    }
  }
  return { name, explicit, config };
}

async function fileNamesLab(file: string): Promise<boolean> {
  const doc = parse(await readFile(file, 'utf8')) as { lab?: { name?: unknown } } | null;
  return doc?.lab?.name !== undefined;
}

/** Names of the labs with at least one container (running or not), sorted. */
export async function existingLabs(): Promise<string[]> {
  const run = await docker(
    ['ps', '-a', '--filter', `label=${LAB_LABEL}`, '--format', `{{.Label "${LAB_LABEL}"}}`],
    {
      timeoutMs: 15_000,
    },
  );
  if (run.exitCode !== 0) return [];
  return [
    ...new Set(
      run.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ].sort();
}
