import { expect } from 'chai';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareRuns, loadRun } from '../../../lib/report/compare.js';
import { formatComparisonHtml } from '../../../lib/report/compare-html.js';
import {
  launchHeadlessBrowser,
  type BrowserPage,
  type HeadlessBrowser,
} from '../../support/headless-browser.js';
import { requireChromium } from '../../support/require-chromium.js';

/** Two real lab runs, 4 repetitions each, Patroni ttl 20 s then 30 s (origin in the folders' READMEs). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASELINE = 'test/fixtures/reports/lab-ttl20';
const CURRENT = 'test/fixtures/reports/lab-ttl30';
/** Where the page and its screenshot stay after the test, for a look. */
const ARTIFACTS = path.join(REPO_ROOT, 'reports/browser/lab-ttl-compare');
const VIEWPORT = { width: 1400, height: 900 };

interface Layout {
  readonly clientWidth: number;
  readonly scrollWidth: number;
  readonly points: number;
  /** Points whose box leaves their lane's box, as `metric side: why`. */
  readonly strays: readonly string[];
  readonly regressed: readonly {
    metric: string;
    verdict: string;
    visible: boolean;
    left: number;
    right: number;
    onTop: boolean;
  }[];
  readonly listTop: number;
  readonly firstTableTop: number;
}

/** The page's width, every strip point against its lane, and every regressed row as drawn. */
const LAYOUT = `(() => {
  const box = (el) => el.getBoundingClientRect();
  const strays = [];
  let points = 0;
  for (const row of document.querySelectorAll('tr.figure')) {
    for (const lane of row.querySelectorAll('g.lane')) {
      const l = box(lane.querySelector('rect.lane-box'));
      for (const pt of lane.querySelectorAll('circle.pt')) {
        points++;
        const p = box(pt);
        if (p.left < l.left || p.right > l.right || p.top < l.top || p.bottom > l.bottom)
          strays.push(row.dataset.metric + ' ' + lane.getAttribute('class') + ': ' + pt.textContent);
      }
    }
  }
  const regressed = [...document.querySelectorAll('tr.figure.regressed')].map((tr) => {
    tr.scrollIntoView({ block: 'center' });
    const r = box(tr);
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {
      metric: tr.dataset.metric,
      verdict: tr.querySelector('.verdict').textContent,
      visible: tr.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && r.width > 0 && r.height > 0,
      left: r.left,
      right: r.right,
      onTop: hit !== null && tr.contains(hit),
    };
  });
  scrollTo(0, 0);
  const de = document.documentElement;
  return {
    clientWidth: de.clientWidth,
    scrollWidth: de.scrollWidth,
    points,
    strays,
    regressed,
    listTop: box(document.querySelector('ul.regressions')).top,
    firstTableTop: box(document.querySelector('table.figures')).top,
  };
})()`;

describe('the compare page of two real lab runs (ttl 20 s vs 30 s) in headless Chromium at 1400 × 900', function () {
  let browser: HeadlessBrowser | undefined;
  let page: BrowserPage;
  let layout: Layout;

  before(async function () {
    await requireChromium(this);
    const comparison = compareRuns(
      await loadRun(path.join(REPO_ROOT, BASELINE)),
      await loadRun(path.join(REPO_ROOT, CURRENT)),
    );
    await rm(ARTIFACTS, { recursive: true, force: true });
    await mkdir(ARTIFACTS, { recursive: true });
    const html = path.join(ARTIFACTS, 'compare.html');
    await writeFile(html, formatComparisonHtml(comparison, { baseline: BASELINE, current: CURRENT }));
    browser = await launchHeadlessBrowser();
    page = await browser.openPage(pathToFileURL(html).href, VIEWPORT);
    layout = await page.evaluate<Layout>(LAYOUT);
    const shot = await page.screenshot(path.join(ARTIFACTS, 'compare-full-page.png'), { fullPage: true });
    console.log(
      `      page and screenshot: ${path.relative(REPO_ROOT, html)}, ${path.relative(REPO_ROOT, shot)}`,
    );
  });

  after(async () => {
    await browser?.close();
  });

  it('has no horizontal scroll', () => {
    expect(layout.scrollWidth, 'page width (scrollWidth)').to.be.at.most(layout.clientWidth);
  });

  it('draws every repetition inside its strip', () => {
    console.log(`      ${layout.strays.length} of ${layout.points} points outside their lane`);
    // 4 + 4 repetitions for each judged figure of the one scenario.
    expect(layout.points).to.be.greaterThan(8 * 10);
    expect(layout.points % 8).to.equal(0);
    expect(layout.strays).to.deep.equal([]);
  });

  it('shows the regressed rows, the RTO and the detection phase among them, under the regressions list', () => {
    expect(layout.regressed.map((r) => r.metric)).to.include.members(['rto_ms', 'phase_detection_ms']);
    for (const r of layout.regressed) {
      expect(r.verdict, r.metric).to.match(/^REGRESSED \(p 0\.029/);
      expect(r.visible && r.onTop, `${r.metric} drawn and not covered`).to.equal(true);
      expect(r.left >= 0 && r.right <= layout.clientWidth, `${r.metric} inside the viewport`).to.equal(true);
    }
    expect(layout.listTop).to.be.lessThan(layout.firstTableTop);
  });
});
