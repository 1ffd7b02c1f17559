import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { EnvironmentError } from '../errors.js';

const run = promisify(execFile);

/** The `kind` executable on PATH, or undefined (it is not installed on every machine: the kube lab stands in). */
export async function findKindCli(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, 'kind');
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function kind(
  cli: string,
  args: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  try {
    const { stdout } = await run(cli, args, {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
      ...(signal && { signal }),
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; killed?: boolean; message: string };
    const why = e.killed
      ? `no answer within ${timeoutMs / 1000}s`
      : (e.stderr?.trim().split('\n').pop() ?? e.message.split('\n')[0]);
    throw new EnvironmentError(`kind ${args.slice(0, 2).join(' ')} failed: ${why}`, { cause: err });
  }
}

/** `kind get kubeconfig --name NAME`: the cluster's kubeconfig (context `kind-NAME`) as text. */
export function kindGetKubeconfig(cli: string, name: string, signal?: AbortSignal): Promise<string> {
  return kind(cli, ['get', 'kubeconfig', '--name', name], 30_000, signal);
}

/**
 * `kind create cluster` from the project's kind-config.yaml, its kubeconfig written to `kubeconfig`
 * (not merged into the user's ~/.kube/config). Not exercised here: kind cannot run on this machine.
 */
export async function kindCreateCluster(
  cli: string,
  options: { name: string; configFile: string; kubeconfig: string; signal?: AbortSignal },
): Promise<void> {
  await kind(
    cli,
    [
      'create',
      'cluster',
      '--name',
      options.name,
      '--config',
      options.configFile,
      '--kubeconfig',
      options.kubeconfig,
      '--wait',
      '5m',
    ],
    600_000,
    options.signal,
  );
}
