import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PxchaosError } from '../../../lib/errors.js';
import { runSuite, type RunSuiteOptions } from '../../../lib/scenario/run-suite.js';

const TOUCHED = [
  'PXCHAOS_CONFIG',
  'PXCHAOS_TARGET',
  'PXCHAOS_REPORT_DIR',
  'PXCHAOS_STEP',
  'PXCHAOS_PLACEMENT',
  'PXCHAOS_REPEAT',
  'DOCKER_HOST',
];

/**
 * runSuite must refuse these inputs before it touches anything. Docker is pointed at a socket that
 * does not exist, so a regression fails on exit 3 instead of running scenarios against a lab.
 */
async function refusal(options: RunSuiteOptions): Promise<PxchaosError> {
  const saved = Object.fromEntries(TOUCHED.map((k) => [k, process.env[k]]));
  process.env.DOCKER_HOST = 'unix:///nonexistent/pxchaos-test.sock';
  try {
    const outcome = await runSuite(options).then(
      (code) => new Error(`runSuite resolved with exit code ${code}`),
      (err: unknown) => err,
    );
    if (!(outcome instanceof PxchaosError)) throw outcome;
    return outcome;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('pxchaos run: refusals before anything starts', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-run-input-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('--target kind without Docker exits 3 before running anything', async () => {
    const err = await refusal({ target: 'kind', reportDir: path.join(dir, 'kind') });
    expect(err.exitCode, err.message).to.equal(3);
    expect(err.message).to.match(/^Docker engine/);
  });

  it('--target vm without its kubeconfig exits 3 before running anything', async () => {
    await writeFile(path.join(dir, 'id_ed25519'), 'not a key\n');
    const config = path.join(dir, 'vm.yaml');
    await writeFile(
      config,
      [
        'vm:',
        '  kubeconfig: no-such-kubeconfig',
        '  inventory:',
        '    - { name: w1, host: 192.0.2.11, keyPath: id_ed25519, hostKeyFingerprint: "SHA256:2mU4aLKx7pw1IE2tLWAgNwlK3q3vKDEgGpp3PF0IvJ8" }',
        '',
      ].join('\n'),
    );
    const err = await refusal({ target: 'vm', reportDir: path.join(dir, 'vm'), config });
    expect(err.exitCode, err.message).to.equal(3);
    expect(err.message).to.equal(`target vm: kubeconfig ${path.join(dir, 'no-such-kubeconfig')} not found`);
  });

  it('an unknown --placement exits 2 naming the allowed values, before the config or Docker', async () => {
    const err = await refusal({ target: 'lab', reportDir: path.join(dir, 'p'), placement: 'witness' });
    expect(err.exitCode, err.message).to.equal(2);
    expect(err.message).to.equal('unknown placement witness; expected: primary, replica, bystander, all');
  });

  it('--placement wins over the config file’s placement (a bad config value would exit 2 otherwise)', async () => {
    const config = path.join(dir, 'placement.yaml');
    await writeFile(config, 'placement: nowhere\n');
    const bad = await refusal({ target: 'lab', reportDir: path.join(dir, 'p1'), config });
    expect(bad.exitCode, bad.message).to.equal(2);
    expect(bad.message).to.include('expected one of: primary, replica, bystander, all');
    // With the flag the config's value is overridden, so the run gets as far as Docker (exit 3).
    const flagged = await refusal({
      target: 'lab',
      reportDir: path.join(dir, 'p2'),
      config,
      placement: 'replica',
    });
    expect(flagged.exitCode, flagged.message).to.equal(3);
  });

  it('a bad --repeat (0, a fraction, a word, past the maximum) exits 2 in one line before Docker', async () => {
    for (const repeat of ['0', '2.5', 'five', '1001', '-3']) {
      const err = await refusal({ target: 'lab', reportDir: path.join(dir, 'r'), repeat });
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.equal(`--repeat: expected a whole number from 1 to 1000, got '${repeat}'`);
    }
    // A good one gets as far as Docker (exit 3).
    const ok = await refusal({ target: 'lab', reportDir: path.join(dir, 'r'), repeat: '3' });
    expect(ok.exitCode, ok.message).to.equal(3);
  });

  it('a bad repeat in the config file exits 2 naming the key and its line; --repeat wins over it', async () => {
    const config = path.join(dir, 'repeat.yaml');
    await writeFile(config, 'reportDir: out\nrepeat: 0\n');
    const bad = await refusal({ target: 'lab', reportDir: path.join(dir, 'r0'), config });
    expect(bad.exitCode, bad.message).to.equal(2);
    expect(bad.message).to.include('repeat (line 2): expected a whole number from 1 to 1000 (got 0)');
    expect(bad.message).to.not.include('\n');
    const flagged = await refusal({ target: 'lab', reportDir: path.join(dir, 'r1'), config, repeat: '2' });
    expect(flagged.exitCode, flagged.message).to.equal(3);
  });

  it("--repeat makes every repetition's files part of the report directory checked before the run", async () => {
    const reportDir = path.join(dir, 'files-repeat');
    await mkdir(path.join(reportDir, 'network-partition.rep3.result.json'), { recursive: true });
    const err = await refusal({ target: 'lab', reportDir, scenarios: ['network-partition'], repeat: '3' });
    expect(err.exitCode, err.message).to.equal(2);
    expect(err.message).to.include('network-partition.rep3.result.json is not a regular file');
    // Two repetitions do not write a third's file.
    const two = await refusal({ target: 'lab', reportDir, scenarios: ['network-partition'], repeat: '2' });
    expect(two.exitCode, two.message).to.equal(3);
  });

  it('a report dir that is a regular file exits 2 in one line', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'x');
    const err = await refusal({ target: 'lab', reportDir: file });
    expect(err.exitCode, err.message).to.equal(2);
    expect(err.message).to.equal(`report directory ${file}: ${file} is not a directory`);
  });

  it('a report dir that cannot be created (/proc/forbidden) exits 2 at once', async function () {
    this.timeout(5000); // Node's recursive mkdir loops forever there
    const err = await refusal({ target: 'lab', reportDir: '/proc/forbidden' });
    expect(err.exitCode, err.message).to.equal(2);
    expect(err.message).to.match(/^report directory \/proc\/forbidden: cannot create/);
    expect(err.message).to.not.include('\n');
  });

  it('a report file the run would write that is a directory (junit.xml, a result) exits 2 before anything runs', async () => {
    for (const [name, file] of [
      ['junit', 'junit.xml'],
      ['result', 'drive-offline.result.json'],
      ['replica', 'network-partition@replica.timeline.json'],
    ] as const) {
      const reportDir = path.join(dir, `files-${name}`);
      await mkdir(path.join(reportDir, file), { recursive: true });
      const err = await refusal({ target: 'lab', reportDir, placement: 'all' });
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.equal(
        `report directory ${reportDir}: ${file} is not a regular file (a directory); remove it`,
      );
    }
    // A file of a scenario this run does not write is not its business.
    const other = path.join(dir, 'files-other');
    await mkdir(path.join(other, 'drive-offline.result.json'), { recursive: true });
    const err = await refusal({ target: 'lab', reportDir: other, scenarios: ['network-partition'] });
    expect(err.exitCode, err.message).to.equal(3);
  });

  it('a duration over its maximum in the environment (hold: 600h) exits 2 in one line', async () => {
    process.env.PXCHAOS_SCENARIOS_NETWORK_PARTITION_HOLD = '600h';
    try {
      const err = await refusal({ target: 'lab', reportDir: path.join(dir, 'hold') });
      expect(err.exitCode, err.message).to.equal(2);
      expect(err.message).to.include('expected at most 1h (got "600h")');
      expect(err.message).to.not.include('\n');
    } finally {
      delete process.env.PXCHAOS_SCENARIOS_NETWORK_PARTITION_HOLD;
    }
  });
});
