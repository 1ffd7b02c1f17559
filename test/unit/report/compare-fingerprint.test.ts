import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { UsageError } from '../../../lib/errors.js';
import { harnessCommit } from '../../../lib/harness-version.js';
import type { ScenarioResult } from '../../../lib/observe/timeline-events.js';
import { compareRuns } from '../../../lib/report/compare.js';
import { formatComparison } from '../../../lib/report/compare-text.js';
import { renderHtml } from '../../../lib/report/html.js';
import { renderJunit } from '../../../lib/report/junit.js';
import { parseJunit } from '../../../lib/report/read-junit.js';
import { syntheticRun, type SyntheticRunOptions } from '../../support/synthetic-run.js';

const before = {
  target: 'kind',
  sut: 'gluster',
  postgres: '15.8',
  kubernetes: 'v1.20.15',
  nodes: '4',
  storage_version: 'glusterfs 10.3',
  harness: '0.1.0',
  cpus: '2',
  timing: 'a1b2c3d4e5f6',
};

function run(options: SyntheticRunOptions, fingerprint?: Record<string, string>): ScenarioResult {
  const { result } = syntheticRun(options);
  return { ...result, ...(fingerprint && { fingerprint }) };
}

describe('run fingerprints in reports and report compare', () => {
  const kind = { target: 'kind', sut: 'gluster' };

  it('prints both fingerprints and names exactly what changed between the runs', () => {
    const after = { ...before, postgres: '16.4', storage_version: 'glusterfs 11.1' };
    const c = compareRuns([run(kind, before)], [run(kind, after)]);
    expect(c.fingerprints.differences).to.deep.equal([
      'postgres 15.8 → 16.4',
      'storage_version glusterfs 10.3 → glusterfs 11.1',
    ]);
    const text = formatComparison(c, { baseline: 'a', current: 'b' });
    expect(text).to.match(/^\s*kubernetes\s+v1\.20\.15\s+v1\.20\.15\s*$/m);
    expect(text).to.include('changed: postgres 15.8 → 16.4; storage_version glusterfs 10.3 → glusterfs 11.1');
  });

  it('says a run without a fingerprint cannot tell what changed, instead of "nothing"', () => {
    const c = compareRuns([run(kind)], [run(kind, before)]);
    expect(c.fingerprints.differences).to.deep.equal([]);
    expect(formatComparison(c, { baseline: 'a', current: 'b' })).to.include(
      'changed: unknown (the baseline has no fingerprint',
    );
  });

  it('refuses, as a usage error, a scenario run on another target', () => {
    expect(() => compareRuns([run({ target: 'lab', sut: 'patroni' })], [run(kind)]))
      .to.throw(UsageError)
      .with.property('message')
      .match(/^not comparable: network-partition \[lab\/patroni\] ran on target lab, .* on target kind$/);
  });

  it('keeps the fingerprint through junit.xml, apart from the measured figures', () => {
    const [read] = parseJunit(renderJunit([run(kind, before)], { hostname: 'h' }));
    expect(read?.fingerprint).to.deep.equal(before);
    expect(Object.keys(read?.metrics ?? {}).filter((k) => k.startsWith('fingerprint'))).to.deep.equal([]);
  });

  it('reads the commit of this checkout for the harness', async () => {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(await harnessCommit()).to.match(new RegExp(`^${sha}(-dirty)?$`));
  });
});

describe('the fingerprint in report.html', () => {
  it('shows what the scenario ran on under its title, and nothing for a result without one', () => {
    const [with_, without] = [run({}, before), run({})];
    const page = renderHtml([with_], new Map());
    expect(page).to.match(
      /<p class="meta ran-on">ran on: postgres 15\.8 · kubernetes v1\.20\.15 · nodes 4 · /,
    );
    expect(renderHtml([without], new Map())).to.not.include('ran on:');
  });
});
