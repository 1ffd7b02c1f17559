import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'bin', 'pxchaos.js');

/** The real CLI in a child process, in an empty state directory, with no Docker or cluster to reach. */
function teardown(
  args: string[],
  dir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'teardown', ...args],
      { env: { ...process.env, PXCHAOS_STATE_DIR: join(dir, 'state'), ...env }, cwd: dir, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('pxchaos teardown', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-teardown-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gluster: says the kube lab owns its storage and touches nothing (exit 0)', async () => {
    const config = join(dir, 'gluster.yaml');
    await writeFile(config, 'kube: { sut: gluster }\n');
    // No Docker or cluster is asked: PATH has no docker, and the answer still comes.
    const r = await teardown(['--target', 'kind', '--config', config], dir, { PATH: '/nonexistent' });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /nothing to tear down for gluster: the kube lab provisions its GlusterFS, and pxchaos kube-lab down removes it\n$/,
    );
  });

  it('refuses the lab target and an unknown one with exit 2 and one line', async () => {
    const empty = join(dir, 'empty.yaml');
    await writeFile(empty, '');
    const lab = await teardown(['--target', 'lab', '--config', empty], dir);
    expect(lab.code).to.equal(2);
    expect(lab.stderr).to.equal(
      'pxchaos: teardown: --target kind|vm|kube is required (the lab has its own: pxchaos lab down)\n',
    );
    const bad = await teardown(['--target', 'moon', '--config', empty], dir);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/target/);
  });
});
