import { expect } from 'chai';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJunit } from '../../../lib/report/read-junit.js';
import { startCli } from '../../support/cli-process.js';
import {
  launchHeadlessBrowser,
  type BrowserPage,
  type HeadlessBrowser,
} from '../../support/headless-browser.js';
import { liveUrlIn, readLivePage, type LivePageState } from '../../support/live-page.js';
import { requireChromium } from '../../support/require-chromium.js';
import { waitFor } from '../../support/wait-for.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** A real kind/gluster CI run (origin in the folder's README): two of its scenarios. */
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/reports/kind-gluster');
const SCENARIOS = ['network-partition', 'agent-restart-within-grace'];
/** Screenshots of each state stay here after the test, for a look. */
const ARTIFACTS = path.join(REPO_ROOT, 'reports/browser/live-replay');
const VIEWPORT = { width: 1400, height: 1000 };

describe('pxchaos replay DIR --step, watched in headless Chromium', function () {
  this.timeout(180_000);
  let browser: HeadlessBrowser;
  let page: BrowserPage;
  let dir: string;
  const seen: LivePageState[] = [];
  const look = async (): Promise<LivePageState> => {
    const state = await readLivePage(page);
    seen.push(state);
    return state;
  };
  const shot = (name: string) => page.screenshot(path.join(ARTIFACTS, `${name}.png`), { fullPage: true });

  before(async function () {
    await requireChromium(this);
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-replay-'));
    for (const s of SCENARIOS)
      for (const suffix of ['.result.json', '.timeline.json'])
        await copyFile(path.join(FIXTURES, `${s}${suffix}`), path.join(dir, `${s}${suffix}`));
    // junit.xml and report.html of the copy, as `pxchaos run` would have left them.
    const render = await startCli(['report', 'render', dir], { PXCHAOS_CONFIG: '' }).done;
    expect(render.code, render.stderr).to.equal(0);
    await rm(ARTIFACTS, { recursive: true, force: true });
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchHeadlessBrowser();
  });
  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plays both scenarios in order, pausing before each fault until Next, and ends on the checks of junit.xml', async () => {
    const replay = startCli(['replay', dir, '--speed', '60', '--step', '--live-port', '0'], {
      PXCHAOS_CONFIG: '',
    });
    try {
      const url = await waitFor('the live address', () => liveUrlIn(replay.output()), 30_000, 50);
      page = await browser.openPage(url, VIEWPORT);
      for (const [i, scenario] of SCENARIOS.entries()) {
        const paused = await waitFor(
          `the pause before ${scenario}'s fault`,
          async () => {
            const s = await look();
            return s.scenario === scenario && s.explanation !== null ? s : undefined;
          },
          60_000,
          100,
        );
        expect(paused.explanation).to.match(/^Next: \S+ on \S+\.$/);
        expect(paused.nextEnabled).to.equal(true);
        expect(paused.status).to.equal('live');
        await shot(`${i + 1}a-${scenario}-paused`);
        if (i === 0) {
          // The saved run's report is served from the page (a run's, once it has finished).
          const report = await page.evaluate<string>(`fetch('/report').then((r) => r.text())`);
          expect(report).to.equal(await readFile(path.join(dir, 'report.html'), 'utf8'));
        }
        const shapesBefore = paused.chartShapes;
        await page.click('#next');
        // The fault and what followed arrive: the chart gains marks, the counters move on.
        const playing = await waitFor(
          `${scenario} playing after Next`,
          async () => {
            const s = await look();
            return s.explanation === null && s.chartShapes > shapesBefore + 20 ? s : undefined;
          },
          30_000,
          100,
        );
        await shot(`${i + 1}b-${scenario}-playing`);
        expect(Number(playing.counters.acked)).to.be.above(0);
        if (i === 0) {
          // A page that reloads (a dropped Wi-Fi) gets the whole state so far back.
          await page.goto(url);
          await waitFor(
            'the state so far after a reload',
            async () => {
              const s = await look();
              return s.scenario === scenario && s.chartShapes >= playing.chartShapes;
            },
            10_000,
            100,
          );
        }
      }
      const ended = await waitFor(
        'the replay finished',
        async () => ((await look()).finished ? seen.at(-1) : undefined),
        60_000,
        100,
      );
      await shot('3-finished');
      expect(ended?.finished).to.match(/^Run finished, exit [01]\. Final report/);
      // The page's checks are junit.xml's, scenario by scenario.
      const junit = parseJunit(await readFile(path.join(dir, 'junit.xml'), 'utf8'));
      const expected = junit.flatMap((r) =>
        r.verdicts.map((v) => ({ scenario: r.scenario, name: v.name, passed: v.passed })),
      );
      const byKey = (c: { scenario: string; name: string }) => `${c.scenario}\u0000${c.name}`;
      expect([...(ended?.checks ?? [])].sort((x, y) => byKey(x).localeCompare(byKey(y)))).to.deep.equal(
        expected.sort((x, y) => byKey(x).localeCompare(byKey(y))),
      );
      expect(ended?.recovery).to.match(/^recovered: RTO \d/);
      // Steps appeared in the order the timeline has them.
      const timeline = JSON.parse(
        await readFile(path.join(dir, 'agent-restart-within-grace.timeline.json'), 'utf8'),
      ) as {
        events: { kind: string; name?: string }[];
      };
      const order = timeline.events.flatMap((e) => (e.kind === 'step' && e.name ? [e.name] : []));
      const shown = seen
        .filter((s) => s.scenario === 'agent-restart-within-grace')
        .map((s) => s.currentStep)
        .filter((step) => step !== 'starting');
      const positions = shown.map((name) => order.indexOf(name));
      expect(
        positions.every((p) => p >= 0),
        shown.join(' | '),
      ).to.equal(true);
      expect(positions).to.deep.equal([...positions].sort((x, y) => x - y));
      expect(new Set(positions).size).to.be.at.least(2);
    } finally {
      replay.child.kill('SIGTERM');
    }
    const done = await replay.done;
    expect(done.stderr).to.include('replay done');
  });
});
