import type { V1Node } from '@kubernetes/client-node';
import type { RoleNode } from '../placement.js';
import type { ReplicaNodes, ReplicaNodesRequest } from '../postgres-on-k8s/replica-nodes.js';

/**
 * The nodes holding a brick of the Postgres volume, as Gluster itself says: the PV names its Gluster
 * volume (`spec.glusterfs.path`), `gluster volume info` on a node lists the bricks as `host:path`
 * (the kube lab creates them by the workers' IPs, lib/kube-lab/gluster-storage.ts), and the
 * Kubernetes nodes' addresses turn each host into a node name.
 */
export async function glusterBrickNodes(request: ReplicaNodesRequest): Promise<ReplicaNodes> {
  const volume = request.volume.spec?.glusterfs?.path;
  if (!volume)
    return { unknown: `PersistentVolume ${request.volume.metadata?.name ?? '?'} names no Gluster volume` };
  let info: string | undefined;
  const failures: string[] = [];
  for (const node of request.nodes) {
    const r = await node
      .exec(['gluster', '--mode=script', 'volume', 'info', volume], {
        check: false,
        timeoutMs: 20_000,
        ...(request.signal && { signal: request.signal }),
      })
      .catch((err: unknown) => ({ exitCode: -1, stdout: '', stderr: (err as Error).message }));
    if (r.exitCode === 0) {
      info = r.stdout;
      break;
    }
    failures.push(`${node.name}: ${r.stderr.trim().split('\n')[0] || `exit ${r.exitCode}`}`);
  }
  if (info === undefined)
    throw new Error(`gluster volume info ${volume} failed on every node (${failures.join('; ')})`);
  const client = request.signal ? request.client.with({ signal: request.signal }) : request.client;
  const nodes = await client.call('list nodes', () => client.core.listNode());
  return brickNodes(volume, parseBrickHosts(info), nodes.items);
}

/** The hosts of `Brick<n>: host:/path` lines of `gluster volume info`, in brick order. */
export function parseBrickHosts(volumeInfo: string): string[] {
  return [...volumeInfo.matchAll(/^Brick\d+:\s*([^:\s]+):\//gm)].map((m) => m[1] ?? '');
}

/** Each brick host as the Kubernetes node with that address (or name); a host no node has is an error. */
export function brickNodes(volume: string, hosts: readonly string[], nodes: readonly V1Node[]): RoleNode[] {
  const byAddress = new Map<string, string>();
  for (const n of nodes) {
    const name = n.metadata?.name;
    if (!name) continue;
    byAddress.set(name, name);
    for (const a of n.status?.addresses ?? []) byAddress.set(a.address, name);
  }
  const out: RoleNode[] = [];
  for (const host of hosts) {
    const name = byAddress.get(host);
    if (!name)
      throw new Error(`Gluster volume ${volume}: brick host ${host} is no Kubernetes node's address`);
    if (!out.some((r) => r.name === name)) out.push({ name, role: `Gluster brick of ${volume}` });
  }
  return out;
}
