import { mkdtemp, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import { registerReportCommand } from '../../../lib/cli/report-command.js';
import { UsageError } from '../../../lib/errors.js';
import { compareRuns, DEFAULT_MARGINS, loadRun } from '../../../lib/report/compare.js';
import { formatMetric } from '../../../lib/report/metric-format.js';
import { writeReports } from '../../../lib/report/write-reports.js';
import { seededRandom } from '../../../lib/report/stats/seeded-random.js';
import { syntheticRun, type SyntheticRunOptions } from '../../support/synthetic-run.js';

let root: string;

/** Writes a report dir the way the runner does: result + timeline per scenario, then the reports. */
async function writeRun(
  name: string,
  runs: SyntheticRunOptions[],
  metrics: Record<string, number | string> = {},
): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  for (const options of runs) {
    const { result, timeline } = syntheticRun(options);
    const stored = { ...result, metrics: { ...result.metrics, ...metrics } };
    const timelineFile = result.timelineFile ?? `${result.scenario}.timeline.json`;
    await writeFile(
      path.join(dir, timelineFile.replace('.timeline.json', '.result.json')),
      JSON.stringify(stored),
    );
    await writeFile(path.join(dir, timelineFile), JSON.stringify(timeline));
  }
  await writeReports(dir);
  return dir;
}

/** Runs `pxchaos report compare ...` through commander, capturing output and exit code. */
async function cli(...args: string[]): Promise<{ code: number | undefined; out: string }> {
  const program = new Command().exitOverride();
  let code: number | undefined;
  let out = '';
  registerReportCommand(program, { out: (t) => (out += `${t}\n`), setExitCode: (c) => (code = c) });
  const config = path.join(root, 'empty.yaml');
  await program.parseAsync(['report', ...args, '--config', config], { from: 'user' });
  return { code, out };
}

const partition: SyntheticRunOptions = { scenario: 'network-partition', seed: 1, outageMs: 18_000 };

/** `n` repetitions of a run, its outage varying by up to ±`spread` ms around `outageMs`. */
function repeated(n: number, options: SyntheticRunOptions, spread = 1500): SyntheticRunOptions[] {
  const random = seededRandom((options.seed ?? 1) * 7919 + (options.outageMs ?? 0));
  return Array.from({ length: n }, (_, i) => ({
    ...options,
    seed: (options.seed ?? 1) * 100 + i,
    outageMs: Math.round((options.outageMs ?? 18_000) + (random() * 2 - 1) * spread),
    repetition: i + 1,
  }));
}
const restart: SyntheticRunOptions = {
  scenario: 'agent-restart-within-grace',
  seed: 2,
  outageMs: 4000,
  primaryAfter: 'n1',
};

describe('pxchaos report compare', () => {
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pxchaos-compare-'));
    await writeFile(path.join(root, 'empty.yaml'), '{}\n');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('exits 0 for identical runs', async () => {
    const a = await writeRun('same-a', [partition, restart]);
    const b = await writeRun('same-b', [partition, restart]);
    const r = await cli('compare', a, b);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.include('no regressions');
  });

  it('exits 1 naming the scenario when the RTO of 5 repetitions grew significantly past the margins', async () => {
    const base = await writeRun('fast', [
      ...repeated(5, { ...partition, outageMs: 6000 }),
      ...repeated(5, restart),
    ]);
    const cur = await writeRun('slow', [
      ...repeated(5, { ...partition, outageMs: 30_000 }),
      ...repeated(5, restart),
    ]);
    const r = await cli('compare', base, cur);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.match(
      /network-partition \[lab\/patroni\]: rto_ms [\d.]+s → [\d.]+s \(medians of 5 vs 5, \+\d+%; significant \(p 0\.0\d+\), beyond the margins 20% and 5\.0s\)/,
    );
    expect(r.out).not.to.match(/agent-restart-within-grace[^\n]*: rto_ms/);
    // Each side as median [min–max] and n, in the CI log.
    expect(r.out).to.match(
      /\n {2}rto_ms +[\d.]+s \[[\d.]+s–[\d.]+s\] n=5 +[\d.]+s \[[\d.]+s–[\d.]+s\] n=5 +\+/,
    );
    expect(r.out).to.match(/REGRESSED \(p 0\.0\d+; Δ 95% CI \+[\d.]+s…\+[\d.]+s\)/);
  });

  it('single runs: an RTO beyond the margins is inconclusive, naming the repetitions needed, and exits 0', async () => {
    const base = await writeRun('one-fast', [{ ...partition, outageMs: 6000 }]);
    const cur = await writeRun('one-slow', [{ ...partition, outageMs: 30_000 }]);
    const r = await cli('compare', base, cur);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(
      /\n {2}rto_ms +[\d.]+s n=1 +[\d.]+s n=1 +\+[\d.]+s \(\+\d+%\) +inconclusive \(needs 4 vs 4\)/,
    );
    expect(r.out).to.include(
      'inconclusive: 1 vs 1 repetitions: too few for a two-sided Mann–Whitney test at α 0.05; needs at least 4 vs 4',
    );
    expect(r.out).to.include('no regressions');
  });

  it('exits 1 when a check passed in every repetition of the baseline fails in one of the current run, as flaky', async () => {
    const base = await writeRun('flaky-a', repeated(5, partition));
    const cur = await writeRun(
      'flaky-b',
      repeated(5, partition).map((o) => (o.repetition === 3 ? { ...o, lostAcked: 2 } : o)),
    );
    const r = await cli('compare', base, cur);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.include('network-partition [lab/patroni]: PASS → FLAKY  (n 5 → 5; 2 regressions)');
    expect(r.out).to.include(
      'network-partition [lab/patroni]: check "no acknowledged write lost (RPO = 0)" passed before, fails now in repetition 3 of 5',
    );
    expect(r.out).to.include(
      'network-partition [lab/patroni]: lost_acked 0 → 2 (+from 0; no margin) in repetition 3 of 5',
    );
    expect(r.out).to.include(
      'check "no acknowledged write lost (RPO = 0)": pass in all 5 → failed in 1 of 5 (3)  ← REGRESSION',
    );
  });

  it('exits 1 when a check flips from pass to fail', async () => {
    const base = await writeRun('flip-a', [partition]);
    const cur = await writeRun('flip-b', [{ ...partition, lostAcked: 1 }]);
    const r = await cli('compare', base, cur);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.include(
      'network-partition [lab/patroni]: check "no acknowledged write lost (RPO = 0)" passed before, fails now',
    );
    expect(r.out).to.match(/lost_acked .*REGRESSION/);
  });

  it('reads junit.xml files of repeated runs when only those were kept', async () => {
    const base = await writeRun('xml-a', repeated(5, { ...partition, outageMs: 6000 }));
    const cur = await writeRun('xml-b', repeated(5, { ...partition, outageMs: 30_000 }));
    for (const dir of [base, cur]) {
      await unlink(path.join(dir, 'network-partition.result.json'));
      for (const k of [2, 3, 4, 5]) await unlink(path.join(dir, `network-partition.rep${k}.result.json`));
    }
    const r = await cli('compare', path.join(base, 'junit.xml'), path.join(cur, 'junit.xml'));
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.include('network-partition [lab/patroni]: rto_ms');
  });

  it('exits 1 on a lost pgbench transaction or a broken invariant read back from junit.xml properties', async () => {
    const figures = { pgbench_tx_acked: 900, pgbench_tx_lost: 0, pgbench_invariant: 'ok' };
    const base = await writeRun('pgb-a', [partition], figures);
    const cur = await writeRun('pgb-b', [partition], {
      ...figures,
      pgbench_tx_lost: 2,
      pgbench_invariant:
        'sum(abalance) 7 ≠ sum(tbalance) 12 = sum(bbalance) 12 = sum(pgbench_history.delta) 12',
    });
    for (const dir of [base, cur]) await unlink(path.join(dir, 'network-partition.result.json'));
    const r = await cli('compare', path.join(base, 'junit.xml'), path.join(cur, 'junit.xml'));
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.include(
      'network-partition [lab/patroni]: 2 acknowledged pgbench transactions missing (pgbench_tx_lost; any is a regression)',
    );
    expect(r.out).to.include(
      'network-partition [lab/patroni]: pgbench invariant broken: sum(abalance) 7 ≠ sum(tbalance) 12',
    );
  });

  it('honours --margin-percent and --margin-ms', async () => {
    const base = await writeRun('m-a', repeated(5, { ...partition, outageMs: 10_000 }, 500));
    const cur = await writeRun('m-b', repeated(5, { ...partition, outageMs: 18_000 }, 500));
    // RTO +8 s (+80%) is past the default margins (20% and 5 s); failed writes grow with the outage too.
    const strict = await cli('compare', base, cur);
    expect(strict.code).to.equal(1);
    expect(strict.out).to.include('network-partition [lab/patroni]: rto_ms');
    const loose = await cli('compare', base, cur, '--margin-percent', '150'); // failed writes: +114%
    expect(loose.code, loose.out).to.equal(0);
    expect((await cli('compare', base, cur, '--margin-ms', '10000', '--margin-count', '1000')).code).to.equal(
      0,
    );
  });

  it('treats never-recovered repetitions (rto_ms Infinity, saved as "Infinity" or null) as a regression', async () => {
    const base = await writeRun('inf-a', repeated(4, partition));
    const cur = await writeRun('inf-b', repeated(4, partition));
    for (const name of [
      'network-partition',
      'network-partition.rep2',
      'network-partition.rep3',
      'network-partition.rep4',
    ]) {
      const file = path.join(cur, `${name}.result.json`);
      const saved = JSON.parse(await readFile(file, 'utf8')) as { metrics: Record<string, unknown> };
      await writeFile(
        file,
        JSON.stringify({ ...saved, metrics: { ...saved.metrics, rto_ms: 'Infinity', write_stall_ms: null } }),
      );
    }
    const r = await cli('compare', base, cur);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.match(/network-partition \[lab\/patroni\]: rto_ms .* → ∞/);
  });

  it('is a usage error (exit 2) for a missing directory or a bad margin', async () => {
    const a = await writeRun('ok', [partition]);
    for (const args of [
      ['compare', path.join(root, 'does-not-exist'), a],
      ['compare', a, a, '--margin-percent', 'lots'],
    ]) {
      const err = await cli(...args).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(UsageError);
      expect((err as UsageError).exitCode).to.equal(2);
    }
  });

  it('is a usage error (exit 2) naming the file for a corrupt junit.xml or timeline beside valid results', async () => {
    const base = await writeRun('corrupt-base', [partition]);
    const cases: [string, string, string][] = [
      ['corrupt-junit', 'junit.xml', '<testsuites name="pxchaos"><testsuite name="network-partition"'],
      ['corrupt-timeline', 'network-partition.timeline.json', '{"events": [ {"kind": "write"'],
    ];
    for (const [name, file, text] of cases) {
      const dir = await writeRun(name, [partition]);
      await writeFile(path.join(dir, file), text);
      for (const args of [
        ['compare', base, dir],
        ['compare', base, path.join(dir, 'junit.xml')],
      ]) {
        const err = await cli(...args).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, `${name}: ${args.join(' ')}`).to.be.instanceOf(UsageError);
        expect((err as UsageError).exitCode).to.equal(2);
        expect((err as UsageError).message).to.include(path.join(dir, file));
      }
    }
  });

  it("--html writes one self-contained page: each side's repetitions per judged figure, the verdicts, regressions first", async () => {
    const base = await writeRun('html-fast <b>&', repeated(5, { ...partition, outageMs: 6000 }));
    const cur = await writeRun('html-slow', repeated(5, { ...partition, outageMs: 30_000 }));
    const file = path.join(root, 'compare.html');
    const r = await cli('compare', base, cur, '--html', file);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.include(`html: ${file}`);
    const page = await readFile(file, 'utf8');
    const comparison = compareRuns(await loadRun(base), await loadRun(cur));
    const [scenario] = comparison.scenarios;
    const judged = scenario?.metrics.filter((d) => d.judgement) ?? [];
    expect(judged.map((d) => d.metric)).to.include.members(['rto_ms', 'failed', 'unknown']);
    expect(judged.some((d) => d.kind === 'info')).to.equal(false);
    for (const d of judged) {
      const row = new RegExp(`<tr class="figure [^"]*" data-metric="${d.metric}">(.*?)</tr>`).exec(page)?.[1];
      expect(row, d.metric).to.be.a('string');
      for (const [label, results] of [
        ['baseline', scenario?.baseline ?? []],
        ['current', scenario?.current ?? []],
      ] as const) {
        const lane = new RegExp(`<g class="lane ${label}">(.*?)</g>`).exec(row ?? '')?.[1] ?? '';
        const shown = [...lane.matchAll(/<circle class="pt"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
        const expected = results.map(
          (res) =>
            `${label}, repetition ${res.repetition ?? 1}: ${formatMetric(d.metric, res.metrics[d.metric] as number)}`,
        );
        expect(shown, `${d.metric} ${label}`).to.deep.equal(expected);
        expect(lane, `${d.metric} ${label} median`).to.match(/<line class="median"/);
      }
      expect(row).to.include(`<div class="verdict ${d.judgement?.verdict ?? ''}">`);
    }
    expect(page).to.match(/data-metric="rto_ms">.*?<div class="verdict regressed">REGRESSED \(p 0\.0\d+/);
    expect(page).to.match(/data-metric="unknown">.*?<div class="verdict same">same/);
    // The regressions come first, before any scenario's figures.
    const listed = page.indexOf('<ul class="regressions">');
    expect(listed).to.be.greaterThan(-1).and.lessThan(page.indexOf('<table class="figures">'));
    expect(page).to.include(`<li>${comparison.regressions[0] ?? 'none'}</li>`);
    // Escaped, and nothing fetched or run.
    expect(page).to.include('html-fast &lt;b&gt;&amp;');
    expect(page).not.to.match(/<b>|<script|\ssrc=|\shref=|url\(/);
  });

  it('--html to a path that cannot be written is a usage error (exit 2) before comparing', async () => {
    const a = await writeRun('html-ok', [partition]);
    for (const bad of [path.join(root, 'no-such-dir', 'c.html'), root, path.join(a, 'junit.xml', 'c.html')]) {
      const err = await cli('compare', a, path.join(root, 'does-not-exist'), '--html', bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, bad).to.be.instanceOf(UsageError);
      expect((err as UsageError).exitCode).to.equal(2);
      expect((err as UsageError).message, bad).to.match(/^--html /);
    }
  });
});

describe('compareRuns margins', () => {
  const result = (rto: number, extra: Record<string, number> = {}, repetition?: number) => ({
    ...syntheticRun({ seed: 1 }).result,
    metrics: { rto_ms: rto, lost_acked: 0, unknown: 10, acked: 500, ...extra },
    ...(repetition !== undefined && { repetition }),
  });
  /** Six repetitions around `rto` (±1%), every one slower than any of a baseline 6% below. */
  const six = (rto: number, extra: Record<string, number> = {}) =>
    [0.99, 1.01, 1.0, 0.995, 1.005, 1.002].map((f, i) => result(Math.round(rto * f), extra, i + 1));

  it('needs a significant shift beyond both the relative and the absolute margin to call a regression', () => {
    const m = { ...DEFAULT_MARGINS, percent: 20, ms: 2000 };
    // +50% but only +400 ms: noise on a small figure.
    expect(compareRuns(six(800), six(1200), m).regressions).to.be.empty;
    // +3 s but only +5%: noise on a large figure.
    expect(compareRuns(six(60_000), six(63_000), m).regressions).to.be.empty;
    // Both exceeded.
    expect(compareRuns(six(10_000), six(15_000), m).regressions).to.have.length(1);
    // Better is never a regression; nor is a bigger informational count.
    const better = compareRuns(six(15_000), six(5000, { acked: 5000 }), m);
    expect(better.regressions).to.be.empty;
    expect(better.scenarios[0]?.metrics.find((d) => d.metric === 'rto_ms')?.judgement?.verdict).to.equal(
      'improved',
    );
  });

  it('treats one more lost acknowledged write as a regression, and counts with their own margin', () => {
    expect(compareRuns([result(1000)], [result(1000, { lost_acked: 1 })]).regressions[0]).to.include(
      'lost_acked',
    );
    expect(compareRuns(six(1000), six(1000, { unknown: 13 }), { ...DEFAULT_MARGINS, count: 5 }).regressions)
      .to.be.empty;
    expect(
      compareRuns(six(1000), six(1000, { unknown: 40 }), { ...DEFAULT_MARGINS, count: 5 }).regressions,
    ).to.have.length(1);
  });

  it('judges a data-integrity figure on any repetition, from single or repeated baselines alike', () => {
    const lossIn4 = six(1000).map((r) =>
      r.repetition === 4 ? { ...r, metrics: { ...r.metrics, lost_acked: 3 } } : r,
    );
    expect(compareRuns(six(1000), lossIn4).regressions).to.deep.equal([
      'network-partition [lab/patroni]: lost_acked 0 → 3 (+from 0; no margin) in repetition 4 of 6',
    ]);
    expect(compareRuns([result(1000)], lossIn4).regressions).to.have.length(1);
  });

  describe('pgbench transactions', () => {
    const run = (extra: Record<string, number | string>) => ({
      ...syntheticRun({ seed: 1 }).result,
      metrics: { rto_ms: 1000, pgbench_tx_acked: 900, pgbench_tx_lost: 0, pgbench_invariant: 'ok', ...extra },
    });

    it('calls any lost pgbench transaction a regression, even one the baseline lost too', () => {
      expect(compareRuns([run({})], [run({})]).regressions).to.be.empty;
      const lost = compareRuns([run({})], [run({ pgbench_tx_lost: 1 })]);
      expect(lost.regressions).to.deep.equal([
        'network-partition [lab/patroni]: 1 acknowledged pgbench transactions missing (pgbench_tx_lost; any is a regression)',
      ]);
      expect(lost.scenarios[0]?.metrics.find((d) => d.metric === 'pgbench_tx_lost')?.regression).to.equal(
        true,
      );
      const both = compareRuns([run({ pgbench_tx_lost: 3 })], [run({ pgbench_tx_lost: 2 })]);
      expect(both.regressions).to.have.length(1);
      // Against a baseline without pgbench figures (older, or turned off), a clean run is no regression.
      const older = { ...run({}), metrics: { rto_ms: 1000 } };
      expect(compareRuns([older], [run({})]).regressions).to.be.empty;
    });

    it('calls a broken pgbench invariant a regression, quoting the equation', () => {
      const broken = 'sum(abalance) 7 ≠ sum(tbalance) 12 = sum(bbalance) 12 = sum(pgbench_history.delta) 12';
      const c = compareRuns([run({})], [run({ pgbench_invariant: broken })]);
      expect(c.regressions).to.deep.equal([
        `network-partition [lab/patroni]: pgbench invariant broken: ${broken}`,
      ]);
      expect(compareRuns([run({ pgbench_invariant: broken })], [run({})]).regressions).to.be.empty;
    });

    it('takes more acknowledged pgbench transactions as information, and restarts with the count margin', () => {
      expect(compareRuns([run({})], [run({ pgbench_tx_acked: 90 })]).regressions).to.be.empty;
      const reps = (restarts: number[]) =>
        restarts.map((pgbench_restarts, i) => ({ ...run({ pgbench_restarts }), repetition: i + 1 }));
      expect(compareRuns(reps([2, 3, 2, 1, 2]), reps([12, 13, 12, 11, 12])).regressions).to.be.empty;
      expect(compareRuns(reps([2, 3, 2, 1, 2]), reps([40, 41, 40, 39, 40])).regressions).to.have.length(1);
      // One run each: too few to judge, said so, not a regression.
      const single = compareRuns([run({ pgbench_restarts: 2 })], [run({ pgbench_restarts: 40 })]);
      expect(single.regressions).to.be.empty;
      expect(
        single.scenarios[0]?.metrics.find((d) => d.metric === 'pgbench_restarts')?.judgement?.verdict,
      ).to.equal('inconclusive');
    });
  });

  it('flags a scenario missing from the current run', () => {
    const other = { ...syntheticRun({ scenario: 'drive-offline', seed: 2 }).result };
    const c = compareRuns([result(1000), other], [result(1000)]);
    expect(c.regressions).to.have.length(1);
    expect(c.regressions[0]).to.include('missing from the current run');
  });

  it('refuses two runs with no scenario in common (exit 2, one line naming both sides)', () => {
    const other = syntheticRun({ scenario: 'drive-offline', seed: 2 }).result;
    const err = (() => {
      try {
        compareRuns([result(1000)], [other]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).to.be.instanceOf(UsageError);
    expect((err as UsageError).exitCode).to.equal(2);
    expect((err as UsageError).message).to.match(
      /^no scenario in common: baseline has network-partition \[.*\]; current has drive-offline \[.*\]$/,
    );
  });
});
