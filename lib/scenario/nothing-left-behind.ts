import { FaultJournal, openWithoutClose } from '../faults/journal.js';
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
      const found = (await findLeftovers(node, { signal })).map((l) => `${node.name}: ${l}`);
      const agent = await node.exec(sut.agentCommands(node.name).status, { check: false, signal });
      if (agent.exitCode !== 0) found.push(`${node.name}: ${sut.name} agent not running`);
      const drive = await node.exec(sut.driveCommands(node.name).status, { check: false, signal });
      if (drive.exitCode !== 0) found.push(`${node.name}: data drive not healthy`);
      return found;
    }),
  );
  const open = openWithoutClose(await journal.entries()).map(
    (e) => `journal: ${e.kind} on ${e.node} (${e.id}) still open`,
  );
  return [...perNode.flat(), ...open];
}
