import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { main } from '../../../lib/cli/main.js';
import { healOpenFaults } from '../../../lib/faults/heal-open-faults.js';
import { FaultJournal, type NewOpenEntry } from '../../../lib/faults/journal.js';
import type { NodeAccess } from '../../../lib/nodes/node-access.js';
import type { ExecResult } from '../../../lib/nodes/exec-result.js';

const entry = (id: string): NewOpenEntry => ({
  id,
  kind: 'partition',
  description: 'test',
  node: 'n1',
  address: { kind: 'docker', container: 'c1' },
  revert: ['revert-it'],
  timerMarker: `pxchaos-timer-${id}`,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

/** A node that records what it was asked to run and succeeds. */
function recordingNode(ran: string[][]): NodeAccess {
  return {
    name: 'n1',
    address: { kind: 'docker', container: 'c1' },
    exec: (argv) => {
      ran.push([...argv]);
      const result: ExecResult = {
        node: 'n1',
        argv: [...argv],
        stdout: '',
        stderr: '',
        exitCode: 0,
        durationMs: 1,
      };
      return Promise.resolve(result);
    },
    close: () => Promise.resolve(),
  };
}

/** Runs `pxchaos heal` in-process with the journal in `dir`; returns the exit code and stderr. */
async function heal(dir: string): Promise<{ code: number; stderr: string; stdout: string }> {
  const saved = process.env.PXCHAOS_STATE_DIR;
  const writeErr = process.stderr.write.bind(process.stderr);
  const writeOut = process.stdout.write.bind(process.stdout);
  let stderr = '';
  let stdout = '';
  process.env.PXCHAOS_STATE_DIR = dir;
  process.stderr.write = (chunk: string | Uint8Array) => ((stderr += String(chunk)), true);
  process.stdout.write = (chunk: string | Uint8Array) => ((stdout += String(chunk)), true);
  try {
    const code = await main(['node', 'pxchaos', 'heal']);
    return { code, stderr, stdout };
  } finally {
    process.stderr.write = writeErr;
    process.stdout.write = writeOut;
    process.exitCode = undefined;
    if (saved === undefined) delete process.env.PXCHAOS_STATE_DIR;
    else process.env.PXCHAOS_STATE_DIR = saved;
  }
}

describe('FaultJournal: torn and incomplete lines', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-journal-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts the next entry on a fresh line after a torn last line, and reports the torn one', async () => {
    const j = new FaultJournal(dir);
    await j.open(entry('a'));
    await appendFile(j.path, '{"type":"open","id":"torn"');
    await j.open(entry('b'));
    expect((await j.openEntries()).map((e) => e.id)).to.deep.equal(['a', 'b']);
    const { unreadable } = await j.read();
    expect(unreadable).to.have.length(1);
    expect(unreadable[0]).to.include({ line: 2 });
    expect(unreadable[0]?.reason).to.match(/torn/);
    expect((await readFile(j.path, 'utf8')).endsWith('\n')).to.equal(true);
  });

  it('heals what it can, names an entry with no address, and reports it once', async () => {
    const j = new FaultJournal(dir);
    await j.open(entry('good'));
    const { address: _dropped, ...noAddress } = {
      ...entry('bad'),
      type: 'open',
      pid: 1,
      host: 'h',
      startedAt: '',
    };
    await appendFile(j.path, `${JSON.stringify(noAddress)}\n`);
    const ran: string[][] = [];
    const outcomes = await healOpenFaults(j, () => recordingNode(ran), { includeRunning: true });
    expect(outcomes.map((o) => [o.id, o.action])).to.deep.equal([
      ['good', 'healed'],
      ['bad', 'unreadable'],
    ]);
    expect(outcomes[1]?.detail).to.match(/:2: .*fault bad.*address/);
    expect(ran[0]).to.deep.equal(['revert-it']);
    expect(await healOpenFaults(j, () => recordingNode(ran), { includeRunning: true })).to.deep.equal([]);
    expect((await j.read()).unreadable).to.deep.equal([]);
  });

  it('`pxchaos heal` exits non-zero once for a torn line, then 0', async () => {
    await writeFile(join(dir, 'faults.jsonl'), '{"type":"open","id":"x","kind":"partition"');
    const first = await heal(dir);
    expect(first.code).to.equal(1);
    expect(first.stdout).to.match(/faults\.jsonl:1: unreadable journal line/);
    expect(first.stderr.trim().split('\n')).to.have.length(1);
    expect(first.stderr).to.not.match(/Cannot read properties/);
    const second = await heal(dir);
    expect(second).to.include({ code: 0 });
    expect(second.stdout).to.match(/nothing to heal/);
  });
});

describe('FaultJournal: entries are read back exactly as written', () => {
  it('keeps every field of an SSH address (key path, pinned host key)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxchaos-journal-'));
    try {
      const j = new FaultJournal(dir);
      const address = {
        kind: 'ssh' as const,
        host: '10.0.0.2',
        port: 22,
        user: 'root',
        keyPath: '/k/id',
        knownHostsPath: '/k/known_hosts',
        hostKeyFingerprint: 'SHA256:abc',
      };
      await j.open({ ...entry('s'), address });
      expect((await j.openEntries())[0]?.address).to.deep.equal(address);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
