import { expect } from 'chai';
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rerenderReports } from '../../../lib/scenario/rerender-reports.js';
import {
  launchHeadlessBrowser,
  type BrowserPage,
  type HeadlessBrowser,
} from '../../support/headless-browser.js';
import { requireChromium } from '../../support/require-chromium.js';

/** A real kind/gluster run's results and timelines (origin in the folder's README). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/reports/kind-gluster');
/** Where the rendered report and the screenshots stay after the test, for a look. */
const ARTIFACTS = path.join(REPO_ROOT, 'reports/browser/kind-gluster-report');
const VIEWPORT = { width: 1400, height: 900 };

interface MeasuredCells {
  readonly clientWidth: number;
  readonly scrollWidth: number;
  readonly cells: readonly { metric: string; left: number; right: number }[];
}

interface ChartLabel {
  readonly chart: string;
  readonly text: string;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** The page's width and every MEASURED value cell's horizontal extent. */
const MEASURED_CELLS = `(() => {
  const cells = [...document.querySelectorAll('table.metrics tbody tr')].map((tr) => {
    const r = tr.cells[1].getBoundingClientRect();
    return { metric: tr.cells[0].textContent, left: r.left, right: r.right };
  });
  const de = document.documentElement;
  return { clientWidth: de.clientWidth, scrollWidth: de.scrollWidth, cells };
})()`;

/** Every text of every timeline chart with its rendered box. */
const CHART_LABELS = `[...document.querySelectorAll('svg.timeline')].flatMap((svg) =>
  [...svg.querySelectorAll('text')].map((t) => {
    const r = t.getBoundingClientRect();
    return { chart: svg.getAttribute('aria-label'), text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  }))`;

const overlap = (a: ChartLabel, b: ChartLabel): boolean =>
  a.chart === b.chart && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('the report of a real kind/gluster run in headless Chromium at 1400 × 900', function () {
  let browser: HeadlessBrowser | undefined;
  let page: BrowserPage;

  before(async function () {
    await requireChromium(this);
    await rm(ARTIFACTS, { recursive: true, force: true });
    await cp(FIXTURES, ARTIFACTS, { recursive: true, filter: (src) => !src.endsWith('README.md') });
    const rendered = await rerenderReports(ARTIFACTS);
    browser = await launchHeadlessBrowser();
    page = await browser.openPage(pathToFileURL(rendered.html).href, VIEWPORT);
    const shot = await page.screenshot(path.join(ARTIFACTS, 'report-full-page.png'), { fullPage: true });
    console.log(
      `      report and screenshot: ${path.relative(REPO_ROOT, rendered.html)}, ${path.relative(REPO_ROOT, shot)}`,
    );
  });

  after(async () => {
    await browser?.close();
  });

  it('shows every MEASURED value inside the viewport, with no horizontal scroll', async () => {
    const m = await page.evaluate<MeasuredCells>(MEASURED_CELLS);
    const outside = m.cells.filter((c) => c.left < 0 || c.right > m.clientWidth);
    console.log(
      `      ${outside.length} of ${m.cells.length} value cells outside the ${m.clientWidth} px viewport; page ${m.scrollWidth} px wide`,
    );
    expect(m.cells.length, 'value cells').to.be.greaterThan(4 * 50);
    expect(
      outside.map((c) => `${c.metric}: ${Math.round(c.left)}..${Math.round(c.right)} px`),
      'value cells outside the viewport',
    ).to.deep.equal([]);
    expect(m.scrollWidth, 'page width (scrollWidth)').to.be.at.most(m.clientWidth);
  });

  it('lays out the timeline charts so that no two labels overlap', async () => {
    const labels = await page.evaluate<ChartLabel[]>(CHART_LABELS);
    const pairs = labels.flatMap((a, i) =>
      labels.slice(i + 1).flatMap((b) => (overlap(a, b) ? [`${a.chart}: "${a.text}" × "${b.text}"`] : [])),
    );
    console.log(`      ${pairs.length} overlapping pairs among ${labels.length} chart labels`);
    expect(new Set(labels.map((l) => l.chart)).size, 'charts').to.equal(4);
    expect(pairs, 'overlapping labels').to.deep.equal([]);
  });

  it('holds the full text of a truncated value in its hover text', async () => {
    const saved = JSON.parse(
      await readFile(path.join(FIXTURES, 'network-partition.result.json'), 'utf8'),
    ) as { metrics: Record<string, unknown> };
    const full = String(saved.metrics.pgbench_last_error);
    const cell = await page.evaluate<{ title: string; shownWidth: number; fullWidth: number }>(`(() => {
      const row = [...document.querySelectorAll('table.metrics tbody tr')]
        .find((tr) => tr.cells[0].textContent === 'pgbench_last_error');
      const value = row.cells[1];
      return { title: value.title, shownWidth: value.clientWidth, fullWidth: value.scrollWidth };
    })()`);
    expect(full.length, 'the fixture value').to.be.greaterThan(200);
    expect(cell.fullWidth, 'the value is truncated').to.be.greaterThan(cell.shownWidth);
    expect(cell.title).to.equal(full);
  });
});
