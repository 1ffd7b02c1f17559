import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { FaultJournal, type NewOpenEntry } from '../../../lib/faults/journal.js';
import { outsideFaults } from '../../../lib/scenario/outside-faults.js';

const nodes = [
  { address: { kind: 'docker', container: 'lab-n1' } },
  { address: { kind: 'ssh', host: '10.0.0.2', port: 22, user: 'root' } },
] as const;

const at = (s: number): string => new Date(Date.UTC(2026, 11, 7, 7, 0, s)).toISOString();

/** An open entry as another process (pid 4242 on host ci-2) wrote it. */
async function foreign(
  journal: FaultJournal,
  id: string,
  node: string,
  address: object,
  from: number,
  to?: number,
) {
  const open = {
    type: 'open',
    id,
    kind: 'agent-down',
    description: 'test',
    node,
    address,
    revert: ['true'],
    timerMarker: `pxchaos-timer-${id}`,
    startedAt: at(from),
    expiresAt: at(from + 60),
    pid: 4242,
    host: 'ci-2',
  };
  await appendFile(journal.path, `${JSON.stringify(open)}\n`);
  if (to !== undefined)
    await appendFile(
      journal.path,
      `${JSON.stringify({ type: 'close', id, closedAt: at(to), how: 'healed', pid: 4242 })}\n`,
    );
}

describe('outside faults: other processes’ faults on the run’s nodes during its window', () => {
  let dir: string;
  let journal: FaultJournal;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-outside-'));
    journal = new FaultJournal(dir);
    // Make the file exist (append() creates the directory and file).
    await journal.close('nothing', 'test');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const window = { from: new Date(at(10)), to: new Date(at(50)) };

  it('names a foreign fault on a run node that overlaps the window, open or closed', async () => {
    await foreign(journal, 'a1', 'n1', { kind: 'docker', container: 'lab-n1' }, 20, 25);
    await foreign(journal, 'a2', 'w2', { kind: 'ssh', host: '10.0.0.2', port: 22, user: 'root' }, 5);
    const found = await outsideFaults(nodes, window, journal);
    expect(found).to.deep.equal([
      `agent-down on n1 (a1) by pid 4242 on ci-2, in force ${at(20)} – ${at(25)}`,
      `agent-down on w2 (a2) by pid 4242 on ci-2, in force ${at(5)} – still open`,
    ]);
  });

  it('leaves out this process’s own faults, other nodes, and faults over before the window began', async () => {
    const own: NewOpenEntry = {
      id: 'mine',
      kind: 'partition',
      description: 'the run’s own fault',
      node: 'n1',
      address: { kind: 'docker', container: 'lab-n1' },
      revert: ['true'],
      timerMarker: 'pxchaos-timer-mine',
      expiresAt: at(100),
      startedAt: at(20),
    };
    await journal.open(own);
    await foreign(journal, 'b1', 'n9', { kind: 'docker', container: 'other-lab-n1' }, 20);
    await foreign(journal, 'b2', 'n1', { kind: 'docker', container: 'lab-n1' }, 1, 9);
    await foreign(journal, 'b3', 'w2', { kind: 'ssh', host: '10.0.0.2', port: 2222, user: 'root' }, 20);
    expect(await outsideFaults(nodes, window, journal)).to.deep.equal([]);
    expect(hostname()).to.not.equal('ci-2');
  });
});
