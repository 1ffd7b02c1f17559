import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GLUSTER_HEAL_PENDING } from '../../../lib/sut/gluster/gluster-node-commands.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/gluster/', import.meta.url));

/**
 * A `gluster` on PATH that answers from recorded Gluster 10.3 output (test/fixtures/gluster): the
 * volumes are v0, v1…, each volume's heal-count is the fixture given for it; a heal-count that was
 * recorded failing (the volume lock taken) exits 1 as the real CLI did.
 */
async function glusterAnswering(heal: Record<string, string>, glusterdUp = true): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-gluster-'));
  for (const [volume, fixture] of Object.entries(heal))
    await copyFile(path.join(FIXTURES, fixture), path.join(dir, `heal-${volume}.txt`));
  await copyFile(path.join(FIXTURES, 'volume-info.txt'), path.join(dir, 'volume-info.txt'));
  const script = [
    '#!/bin/sh',
    'here=$(dirname "$0")',
    'case "$2 $3" in',
    glusterdUp
      ? `  "volume list") printf '%s\\n' ${Object.keys(heal).join(' ')} ;;`
      : `  "volume list") echo 'Connection failed. Please check if gluster daemon is operational.'; exit 1 ;;`,
    '  "volume info") cat "$here/volume-info.txt" ;;',
    '  "volume heal") cat "$here/heal-$4.txt"; ! grep -q unsuccessful "$here/heal-$4.txt" ;;',
    '  *) echo "unexpected: $*" >&2; exit 2 ;;',
    'esac',
  ].join('\n');
  await writeFile(path.join(dir, 'gluster'), `${script}\n`);
  await chmod(path.join(dir, 'gluster'), 0o755);
  return dir;
}

async function healCheck(
  heal: Record<string, string>,
  glusterdUp = true,
): Promise<{ status: number | null; stderr: string }> {
  const dir = await glusterAnswering(heal, glusterdUp);
  try {
    const [cmd, ...args] = GLUSTER_HEAL_PENDING;
    const r = spawnSync(cmd!, args, {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
    });
    return { status: r.status, stderr: r.stderr.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('gluster storage check (the heal-count script on recorded Gluster output)', () => {
  it('passes when every brick of every volume answers 0 entries', async () => {
    expect(await healCheck({ v0: 'heal-count-in-sync.txt', v1: 'heal-count-in-sync.txt' })).to.deep.equal({
      status: 0,
      stderr: '',
    });
  });

  it('fails naming the volume and its pending entries while self-heal has work', async () => {
    expect(await healCheck({ v0: 'heal-count-in-sync.txt', v1: 'heal-count-pending.txt' })).to.deep.equal({
      status: 1,
      stderr: 'replicas not in sync: v1: 219 entries pending self-heal',
    });
  });

  it('does not take a node that sees only its own brick for a settled volume', async () => {
    expect(await healCheck({ v0: 'heal-count-cut-off.txt' })).to.deep.equal({
      status: 1,
      stderr: 'replicas not in sync: v0: no count from 2 of 3 bricks',
    });
  });

  it('fails when the count cannot be read (another gluster command holds the lock), for every volume', async () => {
    expect(await healCheck({ v0: 'heal-count-locked.txt', v1: 'heal-count-pending.txt' })).to.deep.equal({
      status: 1,
      stderr: 'replicas not in sync: v0: no count from 3 of 3 bricks; v1: 219 entries pending self-heal',
    });
  });

  it('fails when glusterd does not answer on the node (no volume list is not "nothing to heal")', async () => {
    expect(await healCheck({ v0: 'heal-count-in-sync.txt' }, false)).to.deep.equal({
      status: 1,
      stderr: 'gluster volume list failed (is glusterd up?)',
    });
  });
});
