import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { labDown } from '../../lib/lab/lab-down.js';
import { labUp } from '../../lib/lab/lab-up.js';
import { parseJunit } from '../../lib/report/read-junit.js';
import { launchHeadlessBrowser, type BrowserPage } from '../support/headless-browser.js';
import { liveUrlIn, readLivePage } from '../support/live-page.js';
import { requireChromium } from '../support/require-chromium.js';
import { requireDocker } from '../support/require-docker.js';
import { waitFor } from '../support/wait-for.js';

const BIN = fileURLToPath(new URL('../../bin/pxchaos.js', import.meta.url));
const LAB = process.env.PXCHAOS_TEST_LAB ?? 'pxchaos-test-run';
const PROMPT = 'press Enter, or Next on the live page';
/** Screenshots of each state stay here after the test, for a look. */
const ARTIFACTS = fileURLToPath(new URL('../../reports/browser/live-run/', import.meta.url));

describe(`pxchaos run --step --live on a terminal, watched in headless Chromium (real lab '${LAB}')`, function () {
  let stateDir: string;
  let reportDir: string;

  before(async function () {
    await requireDocker(this);
    this.timeout(900_000);
    stateDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-step-state-'));
    reportDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-step-reports-'));
    await rm(ARTIFACTS, { recursive: true, force: true });
    await mkdir(ARTIFACTS, { recursive: true });
    await labUp({ name: LAB, progress: () => undefined, signal: AbortSignal.timeout(600_000) });
  });
  after(async function () {
    this.timeout(120_000);
    if (stateDir) await labDown(LAB, () => undefined);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it('pauses on the terminal and on the live page (either releases), heals on schedule unpressed, and shows the run as it happens', async function () {
    this.timeout(600_000);
    await requireChromium(this);
    // script(1) gives the run a terminal, so the step gates really wait for Enter (or Next). `exec`:
    // without it script's shell ($SHELL, else dash) waits in the terminal's process group and dies
    // of the Ctrl-C itself (exit 130) while pxchaos handles it — as CI, with no SHELL set, showed.
    const command = `exec ${process.execPath} ${BIN} run --step --live --scenario agent-restart-within-grace`;
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
    const browser = await launchHeadlessBrowser();
    const shot = (page: BrowserPage, name: string) =>
      page.screenshot(path.join(ARTIFACTS, `${name}.png`), { fullPage: true });
    try {
      const url = await waitFor('the live address', () => liveUrlIn(out), 120_000, 100);
      const page = await browser.openPage(url, { width: 1400, height: 1000 });
      const paused = await waitFor(
        'the pause before the fault, on the page',
        async () => {
          const state = await readLivePage(page);
          return state.explanation !== null ? state : undefined;
        },
        300_000,
        200,
      );
      await shot(page, '1-paused-before-the-fault');
      expect(prompts(), out).to.equal(1);
      // The page explains what the terminal does, word for word.
      expect(out).to.include(`▶ ${paused.explanation ?? ''}`);
      expect(paused.scenario).to.equal('agent-restart-within-grace');
      expect(Number(paused.counters.acked), 'the baseline writes are on the page').to.be.above(0);
      const before = paused.chartShapes;
      await page.click('#next'); // Next on the page: the only release until the heal is done
      await waitFor(
        'the fault in force, on the page',
        async () => {
          const state = await readLivePage(page);
          return (
            state.explanation === null && /^observe:/.test(state.currentStep) && state.chartShapes > before
          );
        },
        60_000,
        200,
      );
      await shot(page, '2-fault-in-force');
      await waitFor('the heal, without a second Enter', () => /\] heal\r?\n/.test(out), 120_000, 200);
      expect(prompts(), out).to.equal(1);
      expect(out)
        .to.match(/scheduled heal: \d+(\.\d+)?s left/)
        .and.include('on schedule');
      await waitFor('the pause after the heal', () => prompts() >= 2, 300_000, 200);
      expect(out).to.match(/Healed on schedule\. Next: read back the ledger/);
      const afterHeal = await waitFor(
        'the pause after the heal, on the page',
        async () => {
          const state = await readLivePage(page);
          return state.explanation?.startsWith('Healed on schedule.') ? state : undefined;
        },
        10_000,
        100,
      );
      expect(afterHeal.recovery).to.match(/^(recovered: RTO \d|no write has failed since the fault)/);
      await shot(page, '3-paused-after-the-heal');
      child.stdin.write('\n'); // Enter on the terminal releases the page's pause too
      await waitFor(
        'the pause gone from the page',
        async () => (await readLivePage(page)).explanation === null,
        10_000,
        100,
      );
      const finished = await waitFor(
        'the run finished, on the page',
        async () => {
          const state = await readLivePage(page);
          return state.finished ? state : undefined;
        },
        300_000,
        200,
      );
      await shot(page, '4-finished');
      // The page's checks are junit.xml's; its report link serves the final report.
      const junit = parseJunit(await readFile(path.join(reportDir, 'junit.xml'), 'utf8'));
      expect(finished.checks).to.deep.equal(
        junit.flatMap((r) =>
          r.verdicts.map((v) => ({ scenario: r.scenario, name: v.name, passed: v.passed })),
        ),
      );
      const report = await page.evaluate<string>(`fetch('/report').then((r) => r.text())`);
      expect(report).to.equal(await readFile(path.join(reportDir, 'report.html'), 'utf8'));
      // On a terminal the page stays up for the report until Ctrl-C.
      expect(out).to.include('the page stays at');
      child.stdin.write('\x03');
      expect(await done, out).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await browser.close();
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
