import { mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  defaultStateDir,
  FaultJournal,
  openWithoutClose,
  ownerAlive,
  type NewOpenEntry,
} from '../../../lib/faults/journal.js';

const entry = (id: string): NewOpenEntry => ({
  id,
  kind: 'partition',
  description: 'test',
  node: 'n1',
  address: { kind: 'docker', container: 'c1' },
  revert: ['true'],
  timerMarker: `pxchaos-timer-${id}`,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

describe('FaultJournal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-journal-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('resolves the state dir from PXCHAOS_STATE_DIR, then XDG_STATE_HOME', () => {
    expect(defaultStateDir({ PXCHAOS_STATE_DIR: '/x' })).to.equal('/x');
    expect(defaultStateDir({ XDG_STATE_HOME: '/s' })).to.equal('/s/pxchaos');
    expect(defaultStateDir({})).to.match(/\.local\/state\/pxchaos$/);
  });

  it('lists opens without a close, in order', async () => {
    const j = new FaultJournal(join(dir, 'nested'));
    expect(await j.openEntries()).to.deep.equal([]);
    await j.open(entry('a'));
    await j.open(entry('b'));
    await j.open(entry('c'));
    await j.close('b', 'healed');
    const open = await j.openEntries();
    expect(open.map((e) => e.id)).to.deep.equal(['a', 'c']);
    expect(open[0]).to.include({ type: 'open', pid: process.pid, node: 'n1' });
    expect(ownerAlive(open[0]!)).to.be.true;
  });

  it('treats a second close as harmless and skips a torn last line', async () => {
    const j = new FaultJournal(dir);
    await j.open(entry('a'));
    await j.close('a', 'healed');
    await j.close('a', 'heal-command');
    await appendFile(j.path, '{"type":"open","id":"torn"');
    expect(await j.openEntries()).to.deep.equal([]);
    expect((await readFile(j.path, 'utf8')).split('\n')).to.have.length(4);
  });

  it('keeps every line whole when many appends race', async () => {
    const a = new FaultJournal(dir);
    const b = new FaultJournal(dir);
    const ids = Array.from({ length: 40 }, (_, i) => `f${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).open(entry(id))));
    await Promise.all(ids.filter((_, i) => i % 3 === 0).map((id) => a.close(id, 'healed')));
    const open = await b.openEntries();
    expect(open.map((e) => e.id).sort()).to.deep.equal(ids.filter((_, i) => i % 3 !== 0).sort());
  });

  it('does not take a dead or foreign process for the owner', () => {
    const base = { ...entry('x'), type: 'open' as const, startedAt: '', host: 'elsewhere', pid: process.pid };
    expect(ownerAlive(base)).to.be.false;
    expect(openWithoutClose([])).to.deep.equal([]);
  });
});
