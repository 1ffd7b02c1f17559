import type { V1Node } from '@kubernetes/client-node';
import type { KubeClient } from '../../k8s/kube-client.js';
import type { NodeAccess } from '../../nodes/node-access.js';

/**
 * What must hold before the harness installs Portworx (portworx.md "Install with loop devices"):
 * ≥ 3 nodes for the internal KVDB's quorum, ports 9001–9022 free, loop devices available, and one
 * PX per kernel. Facts are gathered first (gatherPxPreflightFacts), judged apart (pxPreflight), so
 * the judgement is tested on any facts and a refusal lists every problem at once.
 */

export const PX_PORTS = { first: 9001, last: 9022 } as const;
export const PX_MIN_NODES = 3;
export const ONE_KERNEL_STATEMENT = 'one PX per kernel: multi-node Portworx on these nodes is unsupported';

export interface PxNodeFacts {
  readonly name: string;
  readonly ready: boolean;
  /** Not cordoned, no NoSchedule/NoExecute taint. */
  readonly schedulable: boolean;
  readonly bootId: string | undefined;
  readonly kernelVersion: string | undefined;
  /** TCP ports listening on the node (`ss -Htln`), or why they could not be listed. */
  readonly listening: readonly number[] | Error;
  /** Whether loop devices can be made (`/dev/loop-control`, else `modprobe -n loop`), or why unknown. */
  readonly loop: boolean | Error;
}

export interface PxPreflight {
  /** One line each; install goes ahead only when there are none. */
  readonly refusals: readonly string[];
  /** The nodes PX would run on (Ready, schedulable). */
  readonly nodes: readonly string[];
}

/** The judgement on gathered facts. */
export function pxPreflight(facts: readonly PxNodeFacts[]): PxPreflight {
  const refusals: string[] = [];
  const usable = facts.filter((n) => n.ready && n.schedulable);
  if (usable.length < PX_MIN_NODES) {
    const left = facts
      .filter((n) => !usable.includes(n))
      .map((n) => `${n.name} ${n.ready ? 'unschedulable or tainted' : 'not Ready'}`);
    refusals.push(
      `Portworx needs at least ${PX_MIN_NODES} schedulable Ready nodes (internal KVDB quorum); found ${usable.length}${left.length ? ` (${left.join(', ')})` : ''}`,
    );
  }
  for (const n of usable) {
    if (n.listening instanceof Error)
      refusals.push(`node ${n.name}: could not list listening ports: ${n.listening.message}`);
    else {
      const taken = [...new Set(n.listening.filter((p) => p >= PX_PORTS.first && p <= PX_PORTS.last))].sort(
        (a, b) => a - b,
      );
      if (taken.length)
        refusals.push(
          `node ${n.name}: port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} in use (Portworx needs ${PX_PORTS.first}-${PX_PORTS.last})`,
        );
    }
    if (n.loop instanceof Error)
      refusals.push(`node ${n.name}: could not check loop support: ${n.loop.message}`);
    else if (!n.loop)
      refusals.push(
        `node ${n.name}: no loop device support (no /dev/loop-control and modprobe -n loop fails)`,
      );
  }
  // Kubernetes nodes that report the same boot id and kernel run on one kernel (kind's containers).
  const byKernel = new Map<string, string[]>();
  for (const n of usable)
    if (n.bootId) {
      const key = `${n.bootId} ${n.kernelVersion ?? ''}`;
      byKernel.set(key, [...(byKernel.get(key) ?? []), n.name]);
    }
  for (const [key, names] of byKernel)
    if (names.length > 1)
      refusals.push(
        `nodes ${names.join(', ')} share one kernel (bootID ${key.split(' ')[0] ?? ''}, kernel ${key.split(' ')[1] || '?'}): ${ONE_KERNEL_STATEMENT}`,
      );
  return { refusals, nodes: usable.map((n) => n.name) };
}

/** Listening TCP ports in `ss -Htln` output (no header): the local address is the 4th column. */
export function listeningPorts(ssOutput: string): number[] {
  const ports: number[] = [];
  for (const line of ssOutput.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const port = Number(local?.slice(local.lastIndexOf(':') + 1));
    if (local && Number.isInteger(port) && port > 0) ports.push(port);
  }
  return ports;
}

const SS_ARGV = ['ss', '-Htln'];
const LOOP_CONTROL_ARGV = ['test', '-e', '/dev/loop-control'];
const MODPROBE_LOOP_ARGV = ['modprobe', '-n', 'loop'];
const NODE_CHECK_TIMEOUT_MS = 15_000;

function isReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function nodeFacts(node: V1Node, access: NodeAccess | undefined): Promise<PxNodeFacts> {
  const name = node.metadata?.name ?? '?';
  const noAccess = new Error(`no node access to ${name}`);
  const run = async (argv: readonly string[]) => {
    if (!access) throw noAccess;
    return access.exec(argv, { timeoutMs: NODE_CHECK_TIMEOUT_MS, check: false });
  };
  const listening = await run(SS_ARGV).then(
    (r) =>
      r.exitCode === 0
        ? listeningPorts(r.stdout)
        : new Error(`${SS_ARGV.join(' ')} exited ${r.exitCode}: ${r.stderr.trim().split('\n')[0] ?? ''}`),
    (err: unknown) => err as Error,
  );
  const loop = await run(LOOP_CONTROL_ARGV)
    .then(
      async (r) => r.exitCode === 0 || (await run(MODPROBE_LOOP_ARGV)).exitCode === 0,
      (err: unknown) => err as Error,
    )
    .catch((err: unknown) => err as Error);
  return {
    name,
    ready: isReady(node),
    // Cordoned or tainted against pods (a control plane): PX's pods do not go there either.
    schedulable:
      node.spec?.unschedulable !== true &&
      !(node.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
    bootId: node.status?.nodeInfo?.bootID,
    kernelVersion: node.status?.nodeInfo?.kernelVersion,
    listening,
    loop,
  };
}

/**
 * The facts of every node: from the API server (Ready, cordoned, bootID, kernel) and over node
 * access (ports, loop). `access(name)`: the target's access to that Kubernetes node, if any.
 * Nodes labelled `px/enabled=false` are left out, as Portworx leaves them out.
 */
export async function gatherPxPreflightFacts(
  client: KubeClient,
  access: (node: string) => NodeAccess | undefined,
): Promise<PxNodeFacts[]> {
  const nodes = (await client.call('list nodes', () => client.core.listNode())).items.filter(
    (n) => n.metadata?.labels?.['px/enabled'] !== 'false',
  );
  return Promise.all(nodes.map((n) => nodeFacts(n, access(n.metadata?.name ?? ''))));
}
