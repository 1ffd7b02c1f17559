import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import type { ScenarioResult } from '../../../lib/observe/timeline-events.js';
import { renderJunit } from '../../../lib/report/junit.js';
import { parseJunit } from '../../../lib/report/read-junit.js';
import { syntheticRun } from '../../support/synthetic-run.js';
import { requireXmllint, validateXml } from '../../support/xmllint.js';

/** Text a Postgres error or a node's stderr could plausibly contain. */
const NASTY =
  'bad <tag> & "quotes" \'apos\' ]]> \u0000nul \u0001soh \u001b[31mansi\u001b[0m \ud800lone \uffff 🐘 tab\there\r\nnew line';

function nastyResult(): ScenarioResult {
  const { result } = syntheticRun({ scenario: 'network-partition', recoveryWithinMs: 1000, seed: 7 });
  return {
    ...result,
    scenario: 'net<&>"part"',
    metrics: { ...result.metrics, note: NASTY, 'weird "key" <x>': 1 },
    verdicts: [
      ...result.verdicts,
      {
        name: `check ${NASTY}`,
        passed: false,
        message: `expected x, measured ${NASTY} password=hunter2`,
        durationMs: 1,
      },
      { name: 'passes with message', passed: true, message: NASTY, durationMs: 0 },
    ],
  };
}

/** Pulls values back out with xmllint's XPath, so the checks read the XML as a parser sees it. */
function xpath(xml: string, expr: string): string {
  const r = spawnSync('xmllint', ['--xpath', expr, '-'], { input: xml, encoding: 'utf8', timeout: 30_000 });
  return r.stdout.trim();
}

describe('renderJunit', function () {
  before(function () {
    requireXmllint(this);
  });

  it('is valid against the JUnit XSD, one testsuite per scenario and one testcase per verdict', () => {
    const runs = [
      syntheticRun({ scenario: 'network-partition', seed: 1 }),
      syntheticRun({
        scenario: 'agent-down-past-grace',
        seed: 2,
        outageMs: 30_000,
        recoveryWithinMs: 20_000,
        lostAcked: 3,
      }),
    ].map((r) => r.result);
    const xml = renderJunit(runs, { hostname: 'ci-runner-7' });
    const check = validateXml(xml);
    expect(check.valid, check.output).to.be.true;

    expect(xpath(xml, 'count(/testsuites/testsuite)')).to.equal(String(runs.length));
    runs.forEach((r, i) => {
      const suite = `/testsuites/testsuite[${i + 1}]`;
      const failures = r.verdicts.filter((v) => !v.passed).length;
      expect(xpath(xml, `string(${suite}/@name)`)).to.equal(`${r.scenario} [${r.target}/${r.sut}]`);
      expect(xpath(xml, `count(${suite}/testcase)`)).to.equal(String(r.verdicts.length));
      expect(xpath(xml, `string(${suite}/@tests)`)).to.equal(String(r.verdicts.length));
      expect(xpath(xml, `string(${suite}/@failures)`)).to.equal(String(failures));
      expect(xpath(xml, `count(${suite}/testcase/failure)`)).to.equal(String(failures));
      expect(Number(xpath(xml, `string(${suite}/@time)`))).to.be.closeTo(r.durationMs / 1000, 0.001);
      expect(xpath(xml, `string(${suite}/@hostname)`)).to.equal('ci-runner-7');
      expect(Date.parse(xpath(xml, `string(${suite}/@timestamp)`))).to.be.closeTo(
        Date.parse(r.startedAt),
        1000,
      );
      for (const [k, v] of Object.entries(r.metrics)) {
        expect(xpath(xml, `string(${suite}/properties/property[@name="${k}"]/@value)`)).to.equal(String(v));
      }
    });
    const totalFailures = runs.flatMap((r) => r.verdicts).filter((v) => !v.passed).length;
    expect(totalFailures).to.be.greaterThan(0);
    expect(xpath(xml, 'string(/testsuites/@failures)')).to.equal(String(totalFailures));
    // The failure says what was expected and what was measured.
    const failing = runs[1]?.verdicts.find((v) => !v.passed);
    expect(xpath(xml, `string(//testcase[@name="${failing?.name}"]/failure/@message)`)).to.equal(
      failing?.message,
    );
  });

  it('escapes markup, quotes and control characters and stays valid', () => {
    const xml = renderJunit([nastyResult()]);
    const check = validateXml(xml);
    expect(check.valid, check.output).to.be.true;
    const forbidden = [...xml].filter((ch) => {
      const cp = ch.codePointAt(0) ?? 0;
      return (cp < 0x20 && ![0x9, 0xa, 0xd].includes(cp)) || cp === 0xffff || (cp >= 0xd800 && cp <= 0xdfff);
    });
    expect(forbidden).to.deep.equal([]);
    const name = xpath(xml, 'string(/testsuites/testsuite/@name)');
    expect(name).to.equal('net<&>"part" [lab/patroni]');
    // Newlines and tabs inside attributes survive a parser (they are character references).
    const message = xpath(xml, 'string(//testcase[starts-with(@name, "check bad")]/failure/@message)');
    expect(message).to.include('tab\there').and.include('\nnew line').and.include('🐘');
    expect(message).to.include('\\u0001soh').and.include('\\u001b[31mansi');
  });

  it('writes no secrets', () => {
    const xml = renderJunit([nastyResult()]);
    expect(xml).not.to.include('hunter2');
  });

  it('counts a scenario without verdicts as an error, not a pass', () => {
    const { result } = syntheticRun({ seed: 3 });
    const xml = renderJunit([{ ...result, verdicts: [] }]);
    const check = validateXml(xml);
    expect(check.valid, check.output).to.be.true;
    expect(xpath(xml, 'string(/testsuites/testsuite/@errors)')).to.equal('1');
    expect(xpath(xml, 'count(//testcase/error)')).to.equal('1');
  });
});

describe('renderJunit of repeated scenarios (--repeat N)', function () {
  before(function () {
    requireXmllint(this);
  });

  // Three repetitions of one scenario: the second loses 2 acknowledged writes, the RTO varies.
  const outages = [18_000, 24_000, 15_000];
  const repetitions = outages.map(
    (outageMs, i) =>
      syntheticRun({ seed: i + 1, outageMs, repetition: i + 1, lostAcked: i === 1 ? 2 : 0 }).result,
  );
  const single = syntheticRun({ scenario: 'drive-offline', seed: 9 }).result;
  const xml = renderJunit([...repetitions, single], { hostname: 'ci' });
  const suite = '/testsuites/testsuite[1]';

  it('stays valid against the JUnit XSD with one testsuite per scenario, not per repetition', () => {
    const check = validateXml(xml);
    expect(check.valid, check.output).to.be.true;
    expect(xpath(xml, 'count(/testsuites/testsuite)')).to.equal('2');
    expect(xpath(xml, `string(${suite}/@name)`)).to.equal('network-partition [lab/patroni]');
    expect(xpath(xml, `count(${suite}/testcase)`)).to.equal(String(repetitions[0]?.verdicts.length));
  });

  it('fails a check failed in some repetitions as flaky, naming them, and passes the others', () => {
    const lost = 'no acknowledged write lost (RPO = 0)';
    const message = xpath(xml, `string(${suite}/testcase[@name="${lost}"]/failure/@message)`);
    expect(message).to.match(/^flaky: failed in repetition 2 of 3 \(passed in 1, 3\); repetition 2: /);
    expect(message).to.include('measured 2');
    expect(xpath(xml, `string(${suite}/testcase[@name="${lost}"]/failure/@type)`)).to.equal('flaky');
    expect(xpath(xml, `string(${suite}/@failures)`)).to.equal('1');
    expect(xpath(xml, `count(${suite}/testcase[@name="nothing left behind"]/failure)`)).to.equal('0');
    // The run-wide totals count the repeated scenario's checks once.
    const tests = (repetitions[0]?.verdicts.length ?? 0) + single.verdicts.length;
    expect(xpath(xml, 'string(/testsuites/@tests)')).to.equal(String(tests));
  });

  it('names every repetition when a check failed in all of them', () => {
    const all = repetitions.map((r) => ({
      ...r,
      verdicts: r.verdicts.map((v) => ({ ...v, passed: false })),
    }));
    const failing = renderJunit(all, { hostname: 'ci' });
    expect(validateXml(failing).valid).to.be.true;
    expect(xpath(failing, 'string(//testcase[@name="nothing left behind"]/failure/@message)')).to.match(
      /^failed in repetitions 1, 2, 3 of 3; repetition 1: /,
    );
    expect(xpath(failing, 'string(//testcase[@name="nothing left behind"]/failure/@type)')).to.equal(
      'expectation',
    );
  });

  it('carries n and, per numeric figure, its min, median, p90 and max and every repetition’s value', () => {
    const prop = (name: string) => xpath(xml, `string(${suite}/properties/property[@name="${name}"]/@value)`);
    expect(prop('n')).to.equal('3');
    const rtos = repetitions.map((r) => Number(r.metrics.rto_ms));
    const [low, mid, high] = [...rtos].sort((a, b) => a - b) as [number, number, number];
    expect(Number(prop('rto_ms.min'))).to.equal(low);
    expect(Number(prop('rto_ms.median'))).to.equal(mid);
    expect(Number(prop('rto_ms.max'))).to.equal(high);
    // p90 of three values lies 80% of the way from the second to the third (linear interpolation).
    expect(Number(prop('rto_ms.p90'))).to.be.closeTo(mid + 0.8 * (high - mid), 1e-9);
    expect(JSON.parse(prop('rto_ms.values'))).to.deep.equal(rtos);
    expect(JSON.parse(prop('lost_acked.values'))).to.deep.equal([0, 2, 0]);
    // A text figure the same in every repetition keeps its name and value.
    expect(prop('primary_before')).to.equal('n1');
  });

  it('reads back into the repetitions it was written from (report compare of a kept junit.xml)', () => {
    const read = parseJunit(xml).filter((r) => r.scenario === 'network-partition');
    expect(read.map((r) => r.repetition)).to.deep.equal([1, 2, 3]);
    read.forEach((r, i) => {
      const original = repetitions[i];
      expect(r.metrics, `repetition ${i + 1}`).to.deep.equal(original?.metrics);
      expect(r.verdicts.map((v) => [v.name, v.passed])).to.deep.equal(
        original?.verdicts.map((v) => [v.name, v.passed]),
      );
    });
  });

  it('renders a single run exactly as before, whether or not it carries repetition 1', () => {
    const plain = renderJunit([single], { hostname: 'ci' });
    expect(renderJunit([{ ...single, repetition: 1 }], { hostname: 'ci' })).to.equal(plain);
    expect(plain).not.to.include('name="n"');
  });
});
