import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Timeline, type Clock } from '../../../lib/observe/timeline.js';
import { rerenderReports } from '../../../lib/scenario/rerender-reports.js';
import { saveJudged } from '../../../lib/scenario/scenario-files.js';
import { CHECK } from '../../../lib/scenario/verdict-names.js';
import { EXPECTATION } from '../../support/fake-sut.js';

/** A partition's record: 60 writes (ids 1..60), ids 21..30 failing while the primary moves, all read back. */
function partitionRecord(): ReturnType<Timeline['toData']> {
  let now = 0;
  const clock: Clock = { monotonic: () => now, wall: () => 1_765_000_000_000 + now };
  const timeline = new Timeline({ clock });
  timeline.record({ kind: 'step', name: 'arrange: target' });
  for (let id = 1; id <= 60; id++) {
    now = id * 100;
    if (id === 20)
      timeline.record({ kind: 'fault', phase: 'injected', fault: 'network-partition', node: 'n1' });
    const failed = id > 20 && id <= 30;
    timeline.record({ kind: 'write', id, outcome: failed ? 'failed' : 'acked', latencyMs: 4 + (id % 3) });
  }
  now = 7000;
  const present: [number, number][] = [
    [1, 20],
    [31, 60],
  ];
  return timeline.toData(
    { scenario: 'network-partition', target: 'lab', sut: 'patroni' },
    {
      values: {
        placement: 'primary',
        primary_before: 'n1',
        primary_after: 'n2',
        rows_before: 100_000,
        rows_after: 100_000,
      },
      ledger: {
        table: 'pxchaos_ledger',
        run: 'r1',
        t: 7000,
        server: 'n2:5432',
        present,
        duplicates: [],
        rows: 50,
      },
      flow: {
        facts: {
          kind: 'network-partition',
          target: 'lab',
          sut: 'patroni',
          expectation: { ...EXPECTATION, recoveryWithinMs: 5000 },
          faultVerified: true,
          health: { healthy: true, primary: 'n2', problems: [] },
          leftovers: [],
          outsideFaults: [],
        },
        durationMs: 7000,
      },
    },
  );
}

describe('pxchaos report render: verdicts from the saved timeline alone', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-render-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const resultFile = (): string => path.join(dir, 'network-partition.result.json');
  const timelineFile = (): string => path.join(dir, 'network-partition.timeline.json');
  const verdict = async (name: string): Promise<{ passed: boolean; message?: string } | undefined> =>
    (
      JSON.parse(await readFile(resultFile(), 'utf8')) as {
        verdicts: { name: string; passed: boolean; message?: string }[];
      }
    ).verdicts.find((v) => v.name === name);

  it('an unedited record renders a byte-identical result', async () => {
    await saveJudged(dir, partitionRecord());
    const saved = await readFile(resultFile(), 'utf8');
    expect(await verdict(CHECK.noAckedLost)).to.have.property('passed', true);
    const rendered = await rerenderReports(dir);
    expect(rendered.recomputed).to.equal(1);
    expect(rendered.kept).to.deep.equal([]);
    expect(await readFile(resultFile(), 'utf8')).to.equal(saved);
    expect(await readFile(rendered.junit, 'utf8')).to.include('network-partition');
  });

  it('an acknowledged write removed from the saved read-back turns its check red', async () => {
    await saveJudged(dir, partitionRecord());
    const text = await readFile(timelineFile(), 'utf8');
    const edited = text.replace(/"present": \[\s*\[\s*1,\s*20\s*\]/, '"present": [[1, 19]');
    expect(edited, 'the read-back range was found in the saved file').to.not.equal(text);
    await writeFile(timelineFile(), edited);
    await rerenderReports(dir);
    const lost = await verdict(CHECK.noAckedLost);
    expect(lost?.passed).to.equal(false);
    expect(lost?.message).to.match(/\b20\b/);
    const junit = await readFile(path.join(dir, 'junit.xml'), 'utf8');
    expect(junit).to.match(/<failure[^>]*>[^<]*20/);
  });

  it('a timeline without the flow’s facts keeps its saved verdicts, and says so', async () => {
    const data = partitionRecord();
    const { flow: _flow, ...older } = data.measurements;
    await saveJudged(dir, data);
    const saved = await readFile(resultFile(), 'utf8');
    const text = JSON.parse(await readFile(timelineFile(), 'utf8')) as Record<string, unknown>;
    await writeFile(timelineFile(), JSON.stringify({ ...text, measurements: older }));
    const rendered = await rerenderReports(dir);
    expect(rendered.recomputed).to.equal(0);
    expect(rendered.kept).to.deep.equal([
      'network-partition.result.json: its timeline holds no facts of the flow (an older harness)',
    ]);
    expect(await readFile(resultFile(), 'utf8')).to.equal(saved);
  });

  it('repetitions are saved beside each other, recomputed each in its own file, and reported as one scenario', async () => {
    for (const repetition of [1, 2, 3]) await saveJudged(dir, { ...partitionRecord(), repetition });
    const rep2 = path.join(dir, 'network-partition.rep2.timeline.json');
    const text = await readFile(rep2, 'utf8');
    await writeFile(rep2, text.replace(/"present": \[\s*\[\s*1,\s*20\s*\]/, '"present": [[1, 19]'));
    const rendered = await rerenderReports(dir);
    expect(rendered.recomputed).to.equal(3);
    const repetitions = rendered.results.map((r) => [
      r.repetition,
      r.verdicts.find((v) => v.name === CHECK.noAckedLost)?.passed,
    ]);
    expect(repetitions).to.deep.equal([
      [1, true],
      [2, false],
      [3, true],
    ]);
    const first = JSON.parse(await readFile(resultFile(), 'utf8')) as {
      repetition?: number;
      timelineFile: string;
    };
    expect(first).to.include({ repetition: 1, timelineFile: 'network-partition.timeline.json' });
    const junit = await readFile(rendered.junit, 'utf8');
    expect(junit.match(/<testsuite\b/g)).to.have.length(1);
    expect(junit).to.match(
      /<failure type="flaky" message="flaky: failed in repetition 2 of 3 \(passed in 1, 3\)/,
    );
  });
});
