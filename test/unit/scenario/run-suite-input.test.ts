import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PxchaosError } from '../../../lib/errors.js';
import { runSuite, type RunSuiteOptions } from '../../../lib/scenario/run-suite.js';

const TOUCHED = ['PXCHAOS_CONFIG', 'PXCHAOS_TARGET', 'PXCHAOS_REPORT_DIR', 'PXCHAOS_STEP', 'DOCKER_HOST'];

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

  for (const target of ['kind', 'vm']) {
    it(`--target ${target} exits 3 before running anything`, async () => {
      // vm needs its section in a file (else it is a config error, exit 2): the example has one.
      const config = target === 'vm' ? { config: path.resolve('pxchaos.example.yaml') } : {};
      const err = await refusal({ target, reportDir: path.join(dir, target), ...config });
      expect(err.exitCode, err.message).to.equal(3);
      expect(err.message).to.match(new RegExp(`target '${target}'.*not available`));
    });
  }

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
});
