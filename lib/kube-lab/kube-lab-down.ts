import { docker } from '../docker/docker-cli.js';
import { DockerExecNode } from '../nodes/docker-exec-node.js';
import { removeKubeLabState } from './kube-lab-access.js';
import { inspectKubeLab } from './kube-lab-inspect.js';
import { detachHostLoopDevice, hostLoopDevices, kubeLabLoopDevices } from './host-loop-devices.js';

export interface KubeLabDownResult {
  readonly containers: readonly string[];
  readonly volumes: readonly string[];
  readonly networks: readonly string[];
  /** Loop devices still attached after the containers went, detached from the host side. */
  readonly loopDevices: readonly string[];
}

/**
 * Removes a kube lab: bricks unmounted (their loop devices auto-detach), containers, volumes and
 * network removed, any loop device still backed by one of its brick files detached, host-side
 * files (kubeconfig, key, inventory) deleted. Cached images and the image seed volume stay.
 * Idempotent: a second run finds nothing.
 */
export async function kubeLabDown(
  name: string,
  progress: (line: string) => void = () => undefined,
): Promise<KubeLabDownResult> {
  const found = await inspectKubeLab(name);
  for (const c of found.containers.filter((c) => c.running && c.role === 'worker')) {
    await new DockerExecNode(c.name, c.name)
      .exec(['pxkube-brick', 'detach'], { timeoutMs: 30_000, check: false })
      .catch(() => undefined);
  }
  if (found.containers.length) {
    progress(`removing ${found.containers.length} node containers`);
    await docker(['rm', '-f', '-v', ...found.containers.map((c) => c.name)], { timeoutMs: 120_000 });
  }
  if (found.volumes.length) await docker(['volume', 'rm', '-f', ...found.volumes], { timeoutMs: 120_000 });
  for (const n of found.networks) await docker(['network', 'rm', n], { timeoutMs: 60_000 });
  const loops = kubeLabLoopDevices(await hostLoopDevices(), name);
  for (const loop of loops) {
    progress(`detaching ${loop.device} (${loop.backingFile})`);
    await detachHostLoopDevice(loop.device);
  }
  await removeKubeLabState(name);
  const after = await inspectKubeLab(name);
  const left = [...after.containers.map((c) => c.name), ...after.volumes, ...after.networks];
  const stillAttached = kubeLabLoopDevices(await hostLoopDevices(), name);
  if (left.length || stillAttached.length)
    throw new Error(
      `kube lab ${name} not fully removed: ${[...left, ...stillAttached.map((l) => l.device)].join(', ')}`,
    );
  return {
    containers: found.containers.map((c) => c.name),
    volumes: found.volumes,
    networks: found.networks,
    loopDevices: loops.map((l) => l.device),
  };
}
