import { hostname } from 'node:os';
import type { JournalCloseEntry, JournalOpenEntry } from '../faults/journal-entry.js';
import { FaultJournal } from '../faults/journal.js';
import type { NodeAddress } from '../nodes/node-access.js';

/** The same machine, however the journal names it: a container, an SSH host and port, a cluster's node. */
function addressKey(a: NodeAddress): string {
  if (a.kind === 'docker') return `docker:${a.container}`;
  if (a.kind === 'pod') return `pod:${a.kubeconfig}:${a.context ?? ''}:${a.node}`;
  return `ssh:${a.host}:${a.port}`;
}

export interface RunWindow {
  /** When the run started measuring (the workload began). */
  readonly from: Date;
  readonly to: Date;
}

/**
 * Faults in the journal that are not this process's, on one of the run's nodes, in force at some
 * time during the run's window: anything the run measured then is not the SUT's own behaviour
 * (a `pxchaos inject` from another shell, another harness around the run lock). One line each,
 * naming the fault, its node, its process and when it was in force.
 */
export async function outsideFaults(
  nodes: readonly { readonly address: NodeAddress }[],
  window: RunWindow,
  journal = new FaultJournal(),
): Promise<string[]> {
  const ours = new Set(nodes.map((n) => addressKey(n.address)));
  const entries = await journal.entries();
  const closedAt = new Map(
    entries
      .filter((e): e is JournalCloseEntry => e.type === 'close')
      .map((e) => [e.id, Date.parse(e.closedAt)]),
  );
  const me = hostname();
  return entries
    .filter((e): e is JournalOpenEntry => e.type === 'open')
    .filter((e) => e.pid !== process.pid || e.host !== me)
    .filter((e) => ours.has(addressKey(e.address)))
    .filter((e) => {
      const start = Date.parse(e.startedAt);
      const end = closedAt.get(e.id) ?? Number.POSITIVE_INFINITY;
      return start <= window.to.getTime() && end >= window.from.getTime();
    })
    .map((e) => {
      const end = closedAt.get(e.id);
      return `${e.kind} on ${e.node} (${e.id}) by pid ${e.pid} on ${e.host}, in force ${e.startedAt} – ${end === undefined ? 'still open' : new Date(end).toISOString()}`;
    });
}
