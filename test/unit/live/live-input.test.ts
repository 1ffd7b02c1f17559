import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { liveAddress } from '../../../lib/live/live-session.js';
import { replaySpeed } from '../../../lib/live/replay.js';
import { startCli } from '../../support/cli-process.js';

describe('live view and replay: bad input is one line, exit 2', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-live-input-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const replay = async (...args: string[]) => {
    const done = await startCli(['replay', ...args], { PXCHAOS_CONFIG: '' }).done;
    expect(done.stderr.trim().split('\n'), done.stderr).to.have.length(1);
    return done;
  };

  it('replay of a missing directory', async () => {
    const done = await replay(path.join(dir, 'nowhere'));
    expect(done.code).to.equal(2);
    expect(done.stderr).to.match(/^pxchaos: report directory not found: .*nowhere\n$/);
  });

  it('replay of a directory without results, and of a corrupt one', async () => {
    expect((await replay(dir)).stderr).to.match(/no scenario results \(\*\.result\.json\) to replay/);
    await writeFile(path.join(dir, 'network-partition.result.json'), '{"scenario": "network-par');
    const corrupt = await replay(dir);
    expect(corrupt.code).to.equal(2);
    expect(corrupt.stderr).to.match(/network-partition\.result\.json: not valid JSON/);
  });

  it('a port that is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const fixture = path.resolve('test/fixtures/reports/lab-patroni');
      const done = await replay(fixture, '--live-port', String(port));
      expect(done.code).to.equal(2);
      expect(done.stderr).to.equal(
        `pxchaos: live view: cannot listen on 127.0.0.1:${port} (the port is taken); choose another with --live-port (0: a free one)\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('ports, hosts and speeds that make no sense', () => {
    expect(liveAddress({})).to.equal(undefined);
    expect(liveAddress({ live: true })).to.deep.equal({ host: '127.0.0.1', port: 0 });
    expect(liveAddress({ livePort: '8080' })).to.deep.equal({ host: '127.0.0.1', port: 8080 });
    for (const port of ['-1', '65536', 'http', '80.5', ''])
      expect(() => liveAddress({ livePort: port }), port).to.throw(/--live-port: expected a port/);
    expect(() => liveAddress({ liveHost: ' ' })).to.throw(/--live-host/);
    expect(replaySpeed('2.5')).to.equal(2.5);
    for (const speed of ['0', '-2', 'fast', '1e9', '5000'])
      expect(() => replaySpeed(speed), speed).to.throw(/--speed: expected a number/);
  });
});
