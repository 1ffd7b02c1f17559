import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const SIGNAL_HEAL = fileURLToPath(new URL('../../../lib/faults/signal-heal.ts', import.meta.url));

/**
 * A process with one active fault and one interrupt hook, stopped by `signal`; with `again`, the
 * fault's heal hangs and the signal is sent a second time once the heal has begun.
 */
async function interrupted(
  signal: NodeJS.Signals,
  out: string,
  again = false,
): Promise<{ code: number | null; stderr: string; secondToExitMs: number }> {
  const heal = again ? 'new Promise(() => undefined)' : `appendFileSync(${JSON.stringify(out)}, 'healed\\n')`;
  const script = `
    import { writeFileSync, appendFileSync } from 'node:fs';
    const { onInterrupt, trackActiveFault } = await import(${JSON.stringify(SIGNAL_HEAL)});
    onInterrupt(async (reason) => appendFileSync(${JSON.stringify(out)}, 'reports after ' + reason + '\\n'));
    trackActiveFault('test fault', async () => ${heal});
    process.stdout.write('ready\\n');
    setInterval(() => undefined, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolve());
    child.on('exit', () => reject(new Error(`exited before ready: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  child.kill(signal);
  let secondAt = performance.now();
  if (again) {
    for (let i = 0; i < 200 && !stderr.includes('healing 1 active fault'); i++)
      await new Promise((r) => setTimeout(r, 50));
    secondAt = performance.now();
    child.kill(signal);
  }
  const code = await exited;
  return { code, stderr, secondToExitMs: performance.now() - secondAt };
}

describe('interrupt hooks: work done on SIGINT/SIGTERM after the heal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-interrupt-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: heals, then runs the hook, then exits ${code}`, async function () {
      this.timeout(30_000);
      const out = path.join(dir, 'out.txt');
      const r = await interrupted(signal, out);
      expect(r.code, r.stderr).to.equal(code);
      expect(await readFile(out, 'utf8')).to.equal(`healed\nreports after ${signal}\n`);
    });
  }

  it('a second SIGINT while the heal hangs: says why, still writes the reports, exits within its bound', async function () {
    this.timeout(30_000);
    const out = path.join(dir, 'out.txt');
    const r = await interrupted('SIGINT', out, true);
    expect(r.code, r.stderr).to.equal(130);
    expect(r.stderr).to.include('SIGINT again: exiting without waiting for the heal of 1 fault(s)');
    expect(r.stderr).to.include("'pxchaos heal'");
    expect(await readFile(out, 'utf8')).to.equal('reports after SIGINT\n');
    expect(r.secondToExitMs).to.be.below(10_000);
  });
});
