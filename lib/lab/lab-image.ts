import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker, dockerOk } from '../docker/docker-cli.js';
import { ensureBaseImage } from './base-image.js';

export const LAB_IMAGE_REPO = 'pxchaos/lab';
const CONTEXT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'image');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Content hash of the build context plus the base image id: the image is rebuilt only when these change. */
async function contextHash(baseImageId: string): Promise<string> {
  const hash = createHash('sha256').update(baseImageId);
  for (const file of await listFiles(CONTEXT_DIR)) {
    hash
      .update(relative(CONTEXT_DIR, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

/** Returns the tag of an up-to-date lab image, building it (and its base) if needed. */
export async function ensureLabImage(progress: (line: string) => void = () => undefined): Promise<string> {
  const base = await ensureBaseImage(progress);
  const baseId = (
    await dockerOk(['image', 'inspect', '--format', '{{.Id}}', base], { timeoutMs: 15_000 })
  ).trim();
  const tag = `${LAB_IMAGE_REPO}:${await contextHash(baseId)}`;
  const present = await docker(['image', 'inspect', '--format', '{{.Id}}', tag], { timeoutMs: 15_000 });
  if (present.exitCode === 0) return tag;
  progress(`building ${tag} (first time: a few minutes)`);
  await dockerOk(['build', '--build-arg', `BASE_IMAGE=${base}`, '-t', tag, CONTEXT_DIR], {
    timeoutMs: 1_800_000,
    onLine: (line) => progress(`build: ${line}`),
  });
  return tag;
}
