import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { FaultJournal } from '../../lib/faults/journal.js';
import { findLeftovers } from '../../lib/faults/leftovers.js';
import { labDown } from '../../lib/lab/lab-down.js';
import { labUp } from '../../lib/lab/lab-up.js';
import { resolveDockerNodes } from '../../lib/nodes/docker-label-nodes.js';
import { requireDocker } from '../support/require-docker.js';
import { waitFor } from '../support/wait-for.js';

const BIN = fileURLToPath(new URL('../../bin/pxchaos.js', import.meta.url));
/** Its own lab (PXCHAOS_TEST_LAB), never the default one: the last test takes it down. */
const LAB = process.env.PXCHAOS_TEST_LAB ?? 'pxchaos-test-run';

interface Proc {
  readonly child: ChildProcess;
  output(): string;
  readonly done: Promise<{ code: number | null; output: string; endedAt: number }>;
}

function pxchaos(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, PXCHAOS_LAB: '', PXCHAOS_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const done = new Promise<{ code: number | null; output: string; endedAt: number }>((resolve) =>
    child.on('close', (code) => resolve({ code, output, endedAt: performance.now() })),
  );
  return { child, output: () => output, done };
}

async function leftoversOnLab(): Promise<string[]> {
  const nodes = await resolveDockerNodes({ lab: LAB });
  try {
    return (await Promise.all([...nodes.values()].map((n) => findLeftovers(n)))).flat();
  } finally {
    await Promise.all([...nodes.values()].map((n) => n.close()));
  }
}

describe(`pxchaos run under abuse (real lab '${LAB}')`, function () {
  let stateDir: string;
  let reportDir: string;
  let env: NodeJS.ProcessEnv;
  const running: Proc[] = [];
  const start = (args: string[]): Proc => {
    const p = pxchaos(args, env);
    running.push(p);
    return p;
  };
  const until = (p: Proc, text: string | RegExp, withinMs: number, what: string) =>
    waitFor(
      what,
      () => (typeof text === 'string' ? p.output().includes(text) : text.test(p.output())),
      withinMs,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; output so far:\n${p.output()}`);
    });

  before(async function () {
    await requireDocker(this);
    this.timeout(900_000);
    stateDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-abuse-state-'));
    reportDir = await mkdtemp(path.join(tmpdir(), 'pxchaos-abuse-reports-'));
    env = { PXCHAOS_LAB_NAME: LAB, PXCHAOS_STATE_DIR: stateDir, PXCHAOS_REPORT_DIR: reportDir };
    await labUp({ name: LAB, progress: () => undefined, signal: AbortSignal.timeout(600_000) });
  });
  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  after(async function () {
    this.timeout(120_000);
    // The last test interrupts the lab's creation: remove what it made.
    await labDown(LAB).catch(() => undefined);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it("heals a dead run's fault first, refuses a second run (exit 3), and on SIGINT writes the reports (exit 130)", async function () {
    this.timeout(600_000);
    await writeFile(path.join(reportDir, 'junit.xml'), '<testsuites name="previous run"></testsuites>\n');

    // A run killed with -9 while its fault is in force (here: the inject verb, same journal).
    const dead = start(['inject', 'partition', '--node', 'n2', '--for', '10m', '--lab', LAB]);
    await until(dead, 'in force', 60_000, 'the partition in force');
    dead.child.kill('SIGKILL');
    await dead.done;
    expect(await leftoversOnLab()).to.not.be.empty;

    const first = start(['run', '--scenario', 'network-partition']);
    await until(
      first,
      /arrange: healed partition on n2 \(\S+\) left by a dead run/,
      90_000,
      'the dead run healed',
    );

    const second = start(['run', '--scenario', 'network-partition']);
    const refused = await second.done;
    expect(refused.code, refused.output).to.equal(3);
    expect(refused.output).to.match(new RegExp(`in use by .*pid ${first.child.pid} on .*started 20`));
    expect(refused.output.trim().split('\n')).to.have.length(1);

    await until(first, 'observe:', 300_000, 'the fault held');
    // A fault by hand during the run would be measured as the SUT's own behaviour: refused.
    const inject = await start(['inject', 'agent-down', '--node', 'n2', '--for', '5s', '--lab', LAB]).done;
    expect(inject.code, inject.output).to.equal(3);
    expect(inject.output).to.match(
      new RegExp(
        `^pxchaos: pxchaos inject refused: lab ${LAB} is in use by pxchaos run on lab ${LAB} \\(pid ${first.child.pid} `,
      ),
    );
    expect(inject.output.trim().split('\n')).to.have.length(1);
    // Nothing written yet by this run: the previous report is still there for CI.
    expect(await readFile(path.join(reportDir, 'junit.xml'), 'utf8')).to.include('previous run');
    first.child.kill('SIGINT');
    const ended = await first.done;
    expect(ended.code, ended.output).to.equal(130);
    const junit = await readFile(path.join(reportDir, 'junit.xml'), 'utf8');
    expect(junit).to.include('interrupted by SIGINT').and.not.include('previous run');
    const timeline = await readFile(path.join(reportDir, 'network-partition.timeline.json'), 'utf8');
    expect(timeline).to.match(/healed partition on n2 \(\S+\) left by a dead run/);
    expect(await leftoversOnLab()).to.deep.equal([]);
    expect(await new FaultJournal(stateDir).openEntries()).to.deep.equal([]);
    expect((await readdir(path.join(stateDir, 'locks'))).filter((f) => f.endsWith('.lock'))).to.deep.equal(
      [],
    );
  });

  // It removes the lab.
  it('lab down refuses during a run; with --force the run fails within seconds, naming the vanished target and an outside fault', async function () {
    this.timeout(600_000);
    const run = start(['run', '--scenario', 'network-partition']);
    await until(run, 'observe:', 300_000, 'the fault held');
    // Another harness faults n1 around the run lock (journaled straight into the run's journal).
    const journal = new FaultJournal(stateDir);
    const [n1] = [...(await resolveDockerNodes({ lab: LAB })).values()].filter((n) => n.name === 'n1');
    if (!n1) throw new Error('no n1 in the lab');
    await journal.open({
      id: 'outside-it',
      kind: 'agent-down',
      description: 'a fault of another harness',
      node: 'n1',
      address: n1.address,
      revert: ['true'],
      timerMarker: 'pxchaos-timer-outside-it',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await journal.close('outside-it', 'healed');
    const refused = await start(['lab', 'down', '--name', LAB]).done;
    expect(refused.code, refused.output).to.equal(3);
    expect(refused.output).to.match(
      new RegExp(`lab down ${LAB} refused: .*pid ${run.child.pid} .*add --force`),
    );
    const downFrom = performance.now();
    const down = await start(['lab', 'down', '--name', LAB, '--force']).done;
    expect(down.code, down.output).to.equal(0);
    const ended = await run.done;
    expect(ended.code, ended.output).to.equal(1);
    const tookMs = ended.endedAt - downFrom;
    console.log(`      lab down started → run ended with exit 1 in ${(tookMs / 1000).toFixed(1)} s`);
    expect(tookMs, 'ms from the start of lab down to the end of the run').to.be.below(20_000);
    const result = JSON.parse(
      await readFile(path.join(reportDir, 'network-partition.result.json'), 'utf8'),
    ) as { verdicts: { name: string; passed: boolean; message?: string }[] };
    const messages = result.verdicts.filter((v) => !v.passed).map((v) => v.message ?? '');
    expect(messages.join('\n')).to.match(/target vanished: node n\d is gone/);
    const outside = result.verdicts.find((v) => v.name === 'no outside fault during the run');
    expect(outside?.passed).to.equal(false);
    expect(outside?.message).to.match(
      new RegExp(`^disturbed by an outside fault: agent-down on n1 \\(outside-it\\) by pid ${process.pid} `),
    );
    for (const m of messages) expect(m).to.not.include('\n');
  });

  // After the lab is gone: the run has to create it, a long arrange to interrupt.
  it('on SIGINT while it arranges, saves a failed result for every scenario saying so (exit 130)', async function () {
    this.timeout(300_000);
    const run = start(['run', '--scenario', 'network-partition', '--scenario', 'drive-offline']);
    await until(run, `creating lab ${LAB}`, 60_000, 'the lab being created');
    run.child.kill('SIGINT');
    const ended = await run.done;
    expect(ended.code, ended.output).to.equal(130);
    for (const scenario of ['network-partition', 'drive-offline']) {
      const result = JSON.parse(await readFile(path.join(reportDir, `${scenario}.result.json`), 'utf8')) as {
        verdicts: { passed: boolean; message?: string }[];
      };
      expect(result.verdicts).to.not.be.empty;
      for (const v of result.verdicts) {
        expect(v.passed).to.equal(false);
        expect(v.message).to.equal('interrupted by SIGINT (during arrange)');
      }
    }
    expect(await readFile(path.join(reportDir, 'junit.xml'), 'utf8')).to.include(
      'interrupted by SIGINT (during arrange)',
    );
  });
});
