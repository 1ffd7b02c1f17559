import { dockerOk } from '../docker/docker-cli.js';
import { inspectLab } from './lab-inspect.js';
import { removeLabState } from './lab-ssh-key.js';

export interface LabDownResult {
  readonly containers: number;
  readonly volumes: number;
  readonly networks: number;
}

/** Removes every container, volume and network labelled with the lab, and its state dir. Idempotent. */
export async function labDown(
  name: string,
  progress: (line: string) => void = () => undefined,
): Promise<LabDownResult> {
  const info = await inspectLab(name);
  const containers = info.containers;
  if (containers.length) {
    progress(`removing ${containers.length} container(s) of lab ${name}`);
    await dockerOk(['rm', '-f', '-v', ...containers], { timeoutMs: 120_000 });
  }
  // Containers first: a volume or network still in use cannot be removed.
  const after = await inspectLab(name);
  if (after.volumes.length) await dockerOk(['volume', 'rm', '-f', ...after.volumes], { timeoutMs: 60_000 });
  if (after.networks.length) await dockerOk(['network', 'rm', ...after.networks], { timeoutMs: 60_000 });
  await removeLabState(name);
  return { containers: containers.length, volumes: after.volumes.length, networks: after.networks.length };
}
