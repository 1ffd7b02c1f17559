import type { NodeRoles, RoleNode } from '../placement.js';
import type { PatroniClusterView } from './patroni-rest.js';

/**
 * Roles in a Patroni cluster: every member holds a full copy (streaming replication), so the lab has
 * no bystander. The synchronous standby comes first among the replicas, deliberately: it is the
 * replica whose loss the primary feels (its commits wait for it until Patroni names another), the
 * case worth testing; an asynchronous replica's loss changes nothing for the writes.
 * `nodes`: the SUT's node names (a node that is no member would be a bystander).
 */
export function patroniNodeRoles(view: PatroniClusterView | undefined, nodes: readonly string[]): NodeRoles {
  const leader = view?.members.find((m) => m.role === 'leader');
  if (!view || !leader) throw new Error('no Patroni leader: cannot tell which nodes are replicas');
  const rank = (role: string): number => (role === 'sync_standby' ? 0 : 1);
  const replicas: RoleNode[] = view.members
    .filter((m) => m !== leader)
    .sort((a, b) => rank(a.role) - rank(b.role) || a.name.localeCompare(b.name))
    .map((m) => ({
      name: m.name,
      role: m.role === 'sync_standby' ? 'synchronous standby' : `asynchronous replica (${m.role}/${m.state})`,
    }));
  const members = new Set(view.members.map((m) => m.name));
  const bystanders = nodes
    .filter((n) => !members.has(n))
    .map((name) => ({ name, role: 'not a Patroni member' }));
  return { primary: leader.name, replicas, bystanders };
}
