import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { resolveLab } from '../../../lib/lab/resolve-lab.js';
import { UsageError } from '../../../lib/errors.js';

describe('resolveLab: one lab resolution for every verb', () => {
  let dir: string;
  let file: string;
  const none = () => Promise.resolve([] as string[]);
  const two = () => Promise.resolve(['alpha', 'pxchaos']);
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-lab-name-'));
    file = path.join(dir, 'lab.yaml');
    await writeFile(file, 'lab:\n  name: fromfile\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('flag > environment > config file > default', async () => {
    expect((await resolveLab({ env: {}, existingLabs: none })).name).to.equal('pxchaos');
    expect((await resolveLab({ env: {}, existingLabs: none })).explicit).to.equal(false);
    expect((await resolveLab({ env: { PXCHAOS_CONFIG: file }, existingLabs: none })).name).to.equal(
      'fromfile',
    );
    expect((await resolveLab({ configFile: file, env: {}, existingLabs: two })).name).to.equal('fromfile');
    expect(
      (await resolveLab({ configFile: file, env: { PXCHAOS_LAB: 'fromenv' }, existingLabs: two })).name,
    ).to.equal('fromenv');
    expect(
      (
        await resolveLab({
          configFile: file,
          env: { PXCHAOS_LAB: 'short', PXCHAOS_LAB_NAME: 'long' },
          existingLabs: two,
        })
      ).name,
    ).to.equal('long');
    expect(
      (await resolveLab({ flag: 'fromflag', configFile: file, env: { PXCHAOS_LAB: 'x' }, existingLabs: two }))
        .name,
    ).to.equal('fromflag');
  });

  it('refuses to guess among several labs, listing them', async () => {
    const err = await resolveLab({ env: {}, existingLabs: two }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError);
    expect((err as UsageError).message).to.match(/2 labs exist \(alpha, pxchaos\) and none was named/);
  });
});
