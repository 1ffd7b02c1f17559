import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock } from '../../../lib/scenario/run-lock.js';

const CLI = join(process.cwd(), 'bin', 'pxchaos.js');

/** Runs the real CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
function pxchaos(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('pxchaos kube-lab: bad input and a missing environment', function () {
  this.timeout(60_000);

  it('--workers 0 is a usage error: one line, exit 2', async () => {
    const r = await pxchaos(['kube-lab', 'up', '--workers', '0']);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/--workers must be a whole number from 3 to 6/);
  });

  it("--name 'Bad Name' is a usage error: one line, exit 2", async () => {
    const r = await pxchaos(['kube-lab', 'status', '--name', 'Bad Name']);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.include("kube-lab name 'Bad Name'");
  });

  it('no Docker engine: one line, exit 3', async () => {
    const r = await pxchaos(['kube-lab', 'up', '--name', 'nodocker'], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    expect(r.code).to.equal(3);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/Docker/);
  });
});

describe('pxchaos kube-lab: one up/down per cluster', function () {
  this.timeout(60_000);

  it('refuses a second up while another process holds the cluster, naming it: exit 3', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'pxchaos-kube-lock-'));
    const lock = await acquireRunLock('kube-lab-locked', {
      dir: stateDir,
      what: 'a test holding the kube lab',
    });
    try {
      const r = await pxchaos(['kube-lab', 'up', '--name', 'locked'], { PXCHAOS_STATE_DIR: stateDir });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.include('in use by a test holding the kube lab');
      expect(r.stderr).to.include(`pid ${process.pid}`);
    } finally {
      lock.release();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
