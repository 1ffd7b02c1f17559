import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { labDown } from '../../lib/lab/lab-down.js';
import { labUp } from '../../lib/lab/lab-up.js';
import { requireDocker } from '../support/require-docker.js';
import { waitFor } from '../support/wait-for.js';

const BIN = fileURLToPath(new URL('../../bin/pxchaos.js', import.meta.url));
const LAB = process.env.PXCHAOS_TEST_LAB ?? 'pxchaos-test-run';
const PROMPT = 'press Enter to continue';

describe(`pxchaos run --step on a terminal (real lab '${LAB}')`, function () {
  let stateDir: string;
  let reportDir: string;

  before(async function () {
    await requireDocker(this);
    this.timeout(900_000);
    stateDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-step-state-'));
    reportDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-step-reports-'));
    await labUp({ name: LAB, progress: () => undefined, signal: AbortSignal.timeout(600_000) });
  });
  after(async function () {
    this.timeout(120_000);
    if (stateDir) await labDown(LAB, () => undefined);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it('heals a time-bound fault on schedule while the presenter does not press Enter, and pauses after', async function () {
    this.timeout(600_000);
    // script(1) gives the run a terminal, so the step gates really wait for Enter.
    const command = `${process.execPath} ${BIN} run --step --scenario agent-restart-within-grace`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: {
        ...process.env,
        PXCHAOS_LAB: '',
        PXCHAOS_CONFIG: '',
        PXCHAOS_LAB_NAME: LAB,
        PXCHAOS_STATE_DIR: stateDir,
        PXCHAOS_REPORT_DIR: reportDir,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const prompts = () => out.split(PROMPT).length - 1;
    try {
      await waitFor('the pause before the fault', () => prompts() >= 1, 300_000, 200);
      child.stdin.write('\n'); // the only Enter until the heal is done
      await waitFor('the heal, without a second Enter', () => /\] heal\r?\n/.test(out), 120_000, 200);
      expect(prompts(), out).to.equal(1);
      expect(out)
        .to.match(/scheduled heal: \d+(\.\d+)?s left/)
        .and.include('on schedule');
      await waitFor('the pause after the heal', () => prompts() >= 2, 300_000, 200);
      expect(out).to.match(/Healed on schedule\. Next: read back the ledger/);
      child.stdin.write('\n');
      await done;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const timeline = JSON.parse(
      await readFile(path.join(reportDir, 'agent-restart-within-grace.timeline.json'), 'utf8'),
    ) as { measurements: { values: { hold_ms?: number } } };
    const held = timeline.measurements.values.hold_ms ?? Infinity;
    // Held for its scheduled time (the loop looks every 250 ms), not for as long as nobody pressed Enter.
    expect(held, out).to.be.below(15_000);
    expect(out).to.not.match(/\n\s+at .+:\d+:\d+\)/); // no stack frames for failed checks

    // A real run's record: `report render` recomputes its verdicts from the timeline, byte for byte.
    const resultFile = path.join(reportDir, 'agent-restart-within-grace.result.json');
    const saved = await readFile(resultFile, 'utf8');
    const render = spawnSync(process.execPath, [BIN, 'report', 'render', reportDir], { encoding: 'utf8' });
    expect(render.status, render.stderr).to.equal(0);
    expect(render.stdout).to.match(/^1 scenario\(s\), 1 recomputed from their timelines\n/);
    expect(await readFile(resultFile, 'utf8')).to.equal(saved);
  });
});
