import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Timeline } from '../../../lib/observe/timeline.js';
import { compareRuns } from '../../../lib/report/compare.js';
import { renderJunit } from '../../../lib/report/junit.js';
import { suiteName } from '../../../lib/report/suite-name.js';
import { readResults } from '../../../lib/report/read-results.js';
import { writeReports } from '../../../lib/report/write-reports.js';
import { saveJudged } from '../../../lib/scenario/scenario-files.js';
import { syntheticRun } from '../../support/synthetic-run.js';
import { loadConfig } from '../../../lib/pxchaos-config.js';

describe('placement in names, files and comparisons', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-placement-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('the JUnit suite name keeps today’s form for primary and carries any other placement', () => {
    const base = { scenario: 'network-partition', target: 'lab', sut: 'patroni' };
    expect(suiteName(base)).to.equal('network-partition [lab/patroni]');
    expect(suiteName({ ...base, placement: 'primary' })).to.equal(suiteName(base));
    expect(suiteName({ ...base, placement: 'replica' })).to.equal('network-partition [lab/patroni, replica]');
  });

  it('every placement of one scenario saves its own files, read back with their placement', async () => {
    for (const placement of ['primary', 'replica', 'bystander']) {
      const timeline = new Timeline();
      timeline.record({ kind: 'step', name: `arrange (${placement})` });
      const data = timeline.toData(
        { scenario: 'drive-offline', target: 'lab', sut: 'patroni', placement },
        { values: { placement }, flow: { facts: { kind: 'drive-offline' }, durationMs: 1000 } },
      );
      await saveJudged(dir, data);
    }
    expect((await readdir(dir)).sort()).to.deep.equal([
      'drive-offline.result.json',
      'drive-offline.timeline.json',
      'drive-offline@bystander.result.json',
      'drive-offline@bystander.timeline.json',
      'drive-offline@replica.result.json',
      'drive-offline@replica.timeline.json',
    ]);
    const results = (await readResults(dir)).map((s) => s.result);
    expect(results.map((r) => r.placement).sort()).to.deep.equal(['bystander', 'primary', 'replica']);
    const written = await writeReports(dir);
    const xml = renderJunit(written.results);
    expect(xml).to.include('name="drive-offline [lab/patroni]"');
    expect(xml).to.include('name="drive-offline [lab/patroni, replica]"');
    expect(xml).to.include('<property name="pxchaos.placement" value="bystander"/>');
  });

  it('report compare pairs runs by scenario and placement, never a replica’s run with the primary’s', () => {
    const primary = syntheticRun({ scenario: 'network-partition', seed: 1 }).result;
    const replica = {
      ...syntheticRun({ scenario: 'network-partition', seed: 2 }).result,
      placement: 'replica',
    };
    const cmp = compareRuns([primary, replica], [replica, primary]);
    expect(cmp.scenarios.map((s) => s.name)).to.deep.equal([
      'network-partition [lab/patroni]',
      'network-partition [lab/patroni, replica]',
    ]);
    for (const s of cmp.scenarios) expect(s.baseline).to.deep.equal(s.current);
    // Another SUT on the same target, same scenario and placement: still paired by name and
    // placement (the fallback); on another target, refused (compare-fingerprint.test.ts).
    const gluster = { ...replica, target: 'kind', sut: 'gluster' };
    const portworx = { ...gluster, sut: 'portworx' };
    const cross = compareRuns([gluster], [primary, portworx]);
    const paired = cross.scenarios.find((s) => s.baseline.length > 0 && s.current.length > 0);
    expect(paired?.current).to.deep.equal([portworx]);
  });

  it('the config’s placement defaults to primary, and PXCHAOS_PLACEMENT (what --placement sets) wins', async () => {
    const none = '/nonexistent-dir-for-pxchaos-tests';
    expect((await loadConfig({ cwd: none, env: {} })).placement).to.equal('primary');
    expect((await loadConfig({ cwd: none, env: { PXCHAOS_PLACEMENT: 'all' } })).placement).to.equal('all');
    const err = await loadConfig({ cwd: none, env: { PXCHAOS_PLACEMENT: 'witness' } }).catch((e: Error) => e);
    expect(String((err as Error).message)).to.include('expected one of: primary, replica, bystander, all');
  });
});
