import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { parsePgbenchLogLine, summarizePgbenchLog } from '../../../lib/workload/pgbench-log.js';

/** Real pgbench 15 logs (test/fixtures/pgbench/README.md says how each was made). */
const fixture = (name: string): Promise<string> =>
  readFile(new URL(`../../fixtures/pgbench/${name}`, import.meta.url), 'utf8');

describe('pgbench per-transaction log', () => {
  it('reads a throttled log line (schedule lag last) as an acknowledged transaction with its latency and time', async () => {
    const first = (await fixture('throttled.txt')).split('\n')[0] ?? '';
    const [client, tx, time, script, epoch, us] = first.split(' ').map(Number);
    expect(parsePgbenchLogLine(first)).to.deep.equal({
      client,
      transaction: tx,
      outcome: 'acked',
      latencyUs: time,
      script,
      atMs: (epoch ?? 0) * 1000 + Math.floor((us ?? 0) / 1000),
    });
  });

  it('counts a whole throttled log per client, every line acknowledged', async () => {
    const text = await fixture('throttled.txt');
    const s = summarizePgbenchLog(text);
    expect(s).to.include({ lines: 33, malformed: 0 });
    expect(s.clients.get(0)).to.deep.equal({ acked: 16, failed: 0, skipped: 0 });
    expect(s.clients.get(1)).to.deep.equal({ acked: 17, failed: 0, skipped: 0 });
  });

  it('does not count "failed" transactions (rolled back) as acknowledged', async () => {
    const s = summarizePgbenchLog(await fixture('failed.txt'));
    expect(s.malformed).to.equal(0);
    expect(s.clients.get(1)).to.deep.equal({ acked: 3, failed: 0, skipped: 0 });
    expect(s.clients.get(0)).to.deep.equal({ acked: 0, failed: 3, skipped: 0 });
    expect(s.clients.get(3)).to.deep.equal({ acked: 0, failed: 3, skipped: 0 });
  });

  it('reads --failures-detailed ("serialization") as failed, with the retries field after', async () => {
    const s = summarizePgbenchLog(await fixture('failures-detailed.txt'));
    expect(s.malformed).to.equal(0);
    expect(s.clients.get(0)).to.deep.equal({ acked: 2, failed: 1, skipped: 0 });
    expect(s.clients.get(2)).to.deep.equal({ acked: 1, failed: 2, skipped: 0 });
  });

  it('does not count "skipped" transactions (never sent)', async () => {
    const s = summarizePgbenchLog(await fixture('skipped.txt'));
    expect(s.malformed).to.equal(0);
    expect(s.clients.get(0)).to.deep.equal({ acked: 1, failed: 0, skipped: 11 });
  });

  it('never counts the last line of a killed process’s log, cut short though it looks whole', async () => {
    const text = await fixture('killed.txt');
    expect(text.endsWith('\n')).to.equal(false);
    const last = text.split('\n').at(-1) ?? '';
    // The cut line parses as a line: only its missing newline tells.
    expect(parsePgbenchLogLine(last)?.outcome).to.equal('acked');
    const s = summarizePgbenchLog(text);
    const acked = [...s.clients.values()].reduce((n, c) => n + c.acked, 0);
    expect(s.lines).to.equal(9);
    expect(s.malformed).to.equal(1);
    expect(acked).to.equal(8);
  });

  it('refuses what is not a log line', () => {
    for (const bad of [
      '',
      'pgbench: error: client 0 aborted in command 4 (SQL) of script 0',
      '0 1 12737 0 1796171797',
      '0 1 aborted 0 1796171797 444314',
      '0 1 -5 0 1796171797 444314',
      '0 1 12737 0 1796171797 444314 1 2 3',
    ])
      expect(parsePgbenchLogLine(bad), bad).to.equal(undefined);
    expect(summarizePgbenchLog('garbage\n0 1 12 0 1796171797 444314\n')).to.deep.include({
      lines: 2,
      malformed: 1,
    });
  });
});
