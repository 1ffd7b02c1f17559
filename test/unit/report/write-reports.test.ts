import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { UsageError } from '../../../lib/errors.js';
import { saveTimeline, Timeline } from '../../../lib/observe/timeline.js';
import { writeReports } from '../../../lib/report/write-reports.js';
import { syntheticRun } from '../../support/synthetic-run.js';
import { requireXmllint, validateXml } from '../../support/xmllint.js';

describe('writeReports', function () {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-reports-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a valid junit.xml and a report.html from the saved results and timelines', async function () {
    requireXmllint(this);
    const a = syntheticRun({ scenario: 'network-partition', seed: 1 });
    const b = syntheticRun({ scenario: 'drive-offline', seed: 2, startedAt: '2025-03-14T10:00:00.000Z' });
    for (const run of [b, a]) {
      await writeFile(path.join(dir, `${run.result.scenario}.result.json`), JSON.stringify(run.result));
    }
    // One timeline as the recorder writes it ({ events, ... }), one as a bare array: both are accepted.
    await writeFile(path.join(dir, 'network-partition.timeline.json'), JSON.stringify(a.timeline));
    await writeFile(path.join(dir, 'drive-offline.timeline.json'), JSON.stringify(b.timeline.events));

    const written = await writeReports(dir);
    expect(written.results.map((r) => r.scenario)).to.deep.equal(['network-partition', 'drive-offline']);
    const xml = await readFile(written.junit, 'utf8');
    const check = validateXml(xml);
    expect(check.valid, check.output).to.be.true;
    const html = await readFile(written.html, 'utf8');
    expect(html.match(/<svg\b/g)).to.have.length(2);
  });

  it("reads the recorder's own timeline format (lib/observe/timeline.ts)", async () => {
    const { result, timeline: synthetic } = syntheticRun({ scenario: 'network-partition', seed: 8 });
    let now = 0;
    const recorder = new Timeline({ clock: { monotonic: () => now, wall: () => 1_700_000_000_000 + now } });
    for (const e of synthetic.events) {
      const { wall: _wall, ...rest } = e;
      now = Math.max(now, e.t);
      recorder.record(rest);
    }
    await saveTimeline(
      path.join(dir, 'network-partition.timeline.json'),
      recorder.toData({ scenario: result.scenario, target: result.target, sut: result.sut }),
    );
    await writeFile(path.join(dir, 'network-partition.result.json'), JSON.stringify(result));
    const html = await readFile((await writeReports(dir)).html, 'utf8');
    const writes = synthetic.events.filter((e) => e.kind === 'write').length;
    let binned = 0;
    for (const m of html.matchAll(/(\d+) acked, (\d+) failed, (\d+) unknown/g))
      binned += Number(m[1]) + Number(m[2]) + Number(m[3]);
    expect(binned).to.equal(writes);
    expect(html).to.include('fault window: partition n1');
  });

  it('still reports a scenario whose timeline is missing', async () => {
    const { result } = syntheticRun({ seed: 3 });
    await writeFile(path.join(dir, `${result.scenario}.result.json`), JSON.stringify(result));
    const written = await writeReports(dir);
    expect(await readFile(written.html, 'utf8')).to.include('No timeline was recorded');
  });

  it('names a malformed result file', async () => {
    await writeFile(path.join(dir, 'broken.result.json'), JSON.stringify({ scenario: 'x', verdicts: 'no' }));
    const err = await writeReports(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.include('broken.result.json');
  });
});
