import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { requireDocker } from '../support/require-docker.js';

const BIN = fileURLToPath(new URL('../../bin/pxchaos.js', import.meta.url));

async function pxchaos(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, PXCHAOS_LAB: '', PXCHAOS_LAB_NAME: '', PXCHAOS_CONFIG: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('lab and inject read the lab name from the configuration (real Docker, no lab needed)', () => {
  let dir: string;
  let file: string;
  before(async function () {
    await requireDocker(this);
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-lab-name-'));
    file = path.join(dir, 'pxchaos.yaml');
    await writeFile(file, 'lab:\n  name: h13-absent\n');
  });
  after(() => dir && rm(dir, { recursive: true, force: true }));

  it('lab status --config and PXCHAOS_CONFIG name the lab', async () => {
    for (const [args, env] of [
      [['lab', 'status', '--config', file], {}],
      [['lab', 'status'], { PXCHAOS_CONFIG: file }],
    ] as const) {
      const r = await pxchaos([...args], env);
      expect(r.out, args.join(' ')).to.include('lab h13-absent: not up');
      expect(r.code).to.equal(1);
    }
  });

  it('inject looks for the node in the configured lab, the flag winning', async () => {
    const viaConfig = await pxchaos(['inject', 'partition', '--node', 'n1', '--config', file], {});
    expect(viaConfig.code, viaConfig.out).to.equal(2);
    expect(viaConfig.out).to.include('pxchaos.lab=h13-absent');
    const viaFlag = await pxchaos(['inject', 'partition', '--node', 'n1', '--lab', 'h13-other'], {
      PXCHAOS_CONFIG: file,
    });
    expect(viaFlag.out).to.include('pxchaos.lab=h13-other');
  });
});
