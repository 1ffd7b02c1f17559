import { expect } from 'chai';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricKind } from '../../../lib/report/compare.js';
import { rerenderReports } from '../../../lib/scenario/rerender-reports.js';

/** The lab run's two repetitions (test/fixtures/reports/lab-patroni/README.md). */
const FIXTURES = fileURLToPath(new URL('../../fixtures/reports/lab-patroni', import.meta.url));

describe('recovery phases in the reports', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-phases-'));
    await cp(FIXTURES, dir, { recursive: true });
    await rerenderReports(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('report render saves each phase in result.json and as a phase_<name>_ms metric', async () => {
    const result = JSON.parse(await readFile(path.join(dir, 'network-partition.result.json'), 'utf8')) as {
      phases?: { name: string; durationMs: number }[];
      metrics: Record<string, number | string>;
    };
    expect(result.phases?.map((p) => p.name)).to.deep.equal(['detection', 'promotion', 'first_write']);
    for (const p of result.phases ?? []) expect(result.metrics[`phase_${p.name}_ms`]).to.equal(p.durationMs);
  });

  it('gives the phases to JUnit as properties, over the repetitions', async () => {
    const junit = await readFile(path.join(dir, 'junit.xml'), 'utf8');
    expect(junit).to.match(/<property name="phase_detection_ms\.median" value="[0-9.]+"/);
    expect(junit).to.match(/<property name="phase_promotion_ms\.values" value="\[[0-9.]+,[0-9.]+\]"/);
  });

  it('shows a phase table and one band per phase on each chart', async () => {
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    const tables = html.match(/<table class="phases">.*?<\/table>/gs) ?? [];
    expect(tables).to.have.length(2);
    for (const t of tables) {
      expect(t)
        .to.include('<b>detection</b>')
        .and.include('<b>promotion</b>')
        .and.include('<b>first_write</b>');
    }
    expect(html.match(/<g class="phase">/g)).to.have.length(6);
  });

  it('has compare judge measured phases as durations, their predictions not at all', () => {
    expect(metricKind('phase_detection_ms')).to.equal('duration');
    expect(metricKind('phase_unknown_ms')).to.equal('duration');
    expect(metricKind('phase_detection_predicted_ms')).to.equal('info');
  });
});
