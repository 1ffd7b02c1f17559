import { FaultJournal, openWithoutClose, ownerAlive } from '../faults/journal.js';
import { describeUnreadable } from '../faults/journal-lines.js';
import { findLeftovers } from '../faults/leftovers.js';
import type { Sut } from '../sut/sut.js';

const CHECK_TIMEOUT_MS = 20_000;

/**
 * Everything a fault could leave behind, on every node: pxchaos iptables chains and pending
 * auto-revert timers, a stopped agent, a failed drive; plus journal entries still open.
 * Empty means clean.
 */
export async function checkNothingLeftBehind(sut: Sut, journal = new FaultJournal()): Promise<string[]> {
  const perNode = await Promise.all(
    sut.nodes.map(async (node) => {
      const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
      const status = { check: false, signal, timeoutMs: CHECK_TIMEOUT_MS } as const;
      const [found, agent, drive] = await Promise.all([
        findLeftovers(node, { signal }), // its lines already name the node
        node.exec(sut.agentCommands(node.name).status, status),
        node.exec(sut.driveCommands(node.name).status, status),
      ]);
      if (agent.exitCode !== 0) found.push(`${node.name}: ${sut.name} agent not running`);
      if (drive.exitCode !== 0) found.push(`${node.name}: data drive not healthy`);
      return found;
    }),
  );
  // Faults of another harness that is still running (a parallel job) are its own business.
  const contents = await journal.read();
  const open = openWithoutClose(contents.entries)
    .filter((e) => e.pid === process.pid || !ownerAlive(e))
    .map((e) => `journal: ${e.kind} on ${e.node} (${e.id}) still open`);
  // A line heal cannot read may hide a fault still in force: it is a leftover until reported by heal.
  const unreadable = contents.unreadable.map((u) => `journal: ${describeUnreadable(u, journal.path)}`);
  return [...perNode.flat(), ...open, ...unreadable];
}
