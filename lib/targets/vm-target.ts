import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { EnvironmentError, UsageError } from '../errors.js';
import { CommandTimeoutError, ConnectionLostError } from '../nodes/exec-errors.js';
import { HostKeyRejectedError } from '../nodes/host-key-pinning.js';
import { SshNode } from '../nodes/ssh-node.js';
import {
  checkKubeCluster,
  existingClusterPreflight,
  nodeNameMismatch,
  type ExistingClusterPreflight,
} from './kube-cluster-check.js';
import type { KubeLabControlPlaneIps } from './kube-context-guard.js';
import { clusterAccessOverNodes, openOverNodes, type ClusterWithNodes } from './open-with-nodes.js';
import { kubeFaultSurface } from './kube-fault-surface.js';
import type { ClusterAccess, FaultSurface, OpenTarget, Target } from './target.js';
import type { KubeTargetTraits } from './kube-target-traits.js';
import type { PxchaosConfig } from '../pxchaos-config.js';

type VmSection = NonNullable<PxchaosConfig['vm']>;
type InventoryNode = VmSection['inventory'][number];

/** Deadline of the SSH connect + handshake, and of the one command each node must answer. */
export const SSH_PREFLIGHT_TIMEOUT_MS = 10_000;

/** Its nodes: the inventory's, each a Kubernetes node that answered over SSH with its pinned host key. */
export type VmPreflight = ExistingClusterPreflight;

export interface VmTargetOptions {
  readonly controlPlaneIps?: KubeLabControlPlaneIps;
  readonly sshTimeoutMs?: number;
}

/** An SSH node from an inventory entry: the host key is always pinned (the schema requires it). */
export function sshNodeOf(node: InventoryNode, timeoutMs = SSH_PREFLIGHT_TIMEOUT_MS): SshNode {
  return new SshNode({
    name: node.name,
    host: node.host,
    port: node.port,
    user: node.user,
    keyPath: node.keyPath,
    hostKeyFingerprint: node.hostKeyFingerprint,
    readyTimeoutMs: timeoutMs,
    defaultTimeoutMs: timeoutMs,
  });
}

/** Why one node failed its SSH check, as a short clause, and whether the cause is the config (2) or the node (3). */
function sshFailure(node: InventoryNode, err: unknown): { clause: string; exitCode: 2 | 3 } {
  const where = `${node.name} (${node.user}@${node.host}:${node.port})`;
  if (err instanceof HostKeyRejectedError) {
    // "<name>: <host>:<port> presented host key X, pinned Y: refusing to connect"
    const detail = err.message.replace(/^[^:]*: [^ ]+ /, '').replace(/: refusing to connect$/, '');
    return { clause: `${where} host key mismatch: ${detail}`, exitCode: 3 };
  }
  if (err instanceof CommandTimeoutError)
    return { clause: `${where} did not answer within ${err.timeoutMs / 1000}s`, exitCode: 3 };
  if (err instanceof ConnectionLostError) {
    const reason = err.reason.replace(/^cannot connect: /, '');
    if (/authentication methods failed/i.test(reason))
      return { clause: `${where} refused the key ${node.keyPath}`, exitCode: 2 };
    return { clause: `${where} does not answer over SSH: ${reason}`, exitCode: 3 };
  }
  return { clause: `${where}: ${(err as Error).message.split('\n')[0] ?? ''}`, exitCode: 3 };
}

/** vm runs on users' clusters, Portworx by default; nodes over SSH. */
export const VM_TRAITS: KubeTargetTraits = {
  defaultDriver: 'portworx',
  nodeAccess: () => 'SSH to the vm.inventory nodes, host keys pinned',
};

/**
 * `--target vm`: an existing Kubernetes cluster (kubeconfig + context from the `vm` section) whose
 * nodes are reached over SSH (the inventory, host keys pinned). The kube lab writes such a config
 * file for itself (`vm-inventory.yaml`), so the same cluster serves both Kubernetes targets.
 */
export class VmTarget implements Target {
  readonly name = 'vm' as const;

  constructor(
    private readonly config: PxchaosConfig,
    private readonly options: VmTargetOptions = {},
  ) {}

  private get vm(): VmSection {
    // The schema requires the section when target is vm; a caller constructing the target by hand might not.
    if (!this.config.vm)
      throw new UsageError('target vm: the config has no vm section (kubeconfig, context, inventory)');
    return this.config.vm;
  }

  async preflight(signal?: AbortSignal): Promise<VmPreflight> {
    const vm = this.vm;
    // Inventory keys first: a typo in a path is the config's fault, told before any connection.
    for (const [i, node] of vm.inventory.entries()) {
      await access(node.keyPath, constants.R_OK).catch(() => {
        throw new UsageError(
          `target vm: vm.inventory[${i}] (${node.name}): private key ${node.keyPath} not found or not readable`,
        );
      });
    }
    const checked = await checkKubeCluster({
      target: 'vm',
      kubeconfig: vm.kubeconfig,
      ...(vm.context !== undefined && { context: vm.context }),
      allowedContexts: this.config.kube.allowedContexts,
      ...(this.options.controlPlaneIps && { controlPlaneIps: this.options.controlPlaneIps }),
      ...(signal && { signal }),
    });
    const names = vm.inventory.map((n) => n.name);
    const mismatch = nodeNameMismatch(names, checked.nodeNames, {
      oursOnly: 'inventory nodes that are not Kubernetes nodes',
      kubeOnly: 'Kubernetes nodes missing from vm.inventory',
    });
    if (mismatch) throw new UsageError(`target vm: context ${checked.context}: ${mismatch}`);

    await this.checkSsh(vm.inventory, signal);
    return existingClusterPreflight(checked, names);
  }

  async open(progress: (line: string) => void, signal?: AbortSignal): Promise<OpenTarget> {
    const found = await this.preflight(signal);
    return openOverNodes(this.config, this.withNodes(found), progress, signal);
  }

  /** The inventory's worker nodes over SSH (host keys pinned). */
  async faultSurface(signal?: AbortSignal): Promise<FaultSurface> {
    const found = await this.preflight(signal);
    const nodes = this.workerNodes(found);
    return kubeFaultSurface(this.config, VM_TRAITS, `cluster ${found.server}`, nodes, async () => {
      await Promise.all(nodes.map((n) => n.close()));
    });
  }

  /** The cluster and every inventory node over SSH (host keys pinned). */
  async clusterAccess(signal?: AbortSignal): Promise<ClusterAccess> {
    return clusterAccessOverNodes(this.withNodes(await this.preflight(signal)));
  }

  /** The cluster, its workers and every inventory node over SSH (host keys pinned). */
  private withNodes(found: VmPreflight): ClusterWithNodes {
    return {
      ...found,
      target: this.name,
      traits: VM_TRAITS,
      workers: this.workerNodes(found),
      every: this.vm.inventory.map((n) => sshNodeOf(n, this.options.sshTimeoutMs)),
    };
  }

  private workerNodes(found: VmPreflight): SshNode[] {
    return this.vm.inventory
      .filter((n) => found.workers.includes(n.name))
      .map((n) => sshNodeOf(n, this.options.sshTimeoutMs));
  }

  /** Every node answers `true` over SSH with its pinned host key; all failures in one line. */
  private async checkSsh(inventory: readonly InventoryNode[], signal?: AbortSignal): Promise<void> {
    const timeoutMs = this.options.sshTimeoutMs ?? SSH_PREFLIGHT_TIMEOUT_MS;
    const outcomes = await Promise.all(
      inventory.map(async (node) => {
        const ssh = sshNodeOf(node, timeoutMs);
        try {
          await ssh.exec(['true'], { timeoutMs, ...(signal && { signal }) });
          return undefined;
        } catch (err) {
          if (signal?.aborted) throw err;
          return sshFailure(node, err);
        } finally {
          await ssh.close();
        }
      }),
    );
    const failures = outcomes.filter((o) => o !== undefined);
    if (!failures.length) return;
    const line = `target vm: ${failures.map((f) => f.clause).join('; ')}`;
    // A node that does not answer is the environment (3), even when another one refused our key (2).
    throw failures.every((f) => f.exitCode === 2) ? new UsageError(line) : new EnvironmentError(line);
  }
}

export const vmTarget = (config: PxchaosConfig, options?: VmTargetOptions): VmTarget =>
  new VmTarget(config, options);
