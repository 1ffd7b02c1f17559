import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildContextHash } from '../docker/build-context-hash.js';
import { docker, dockerOk } from '../docker/docker-cli.js';
import { ensureBaseImage } from './base-image.js';

export const LAB_IMAGE_REPO = 'pxchaos/lab';
const CONTEXT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'image');

/** Returns the tag of an up-to-date lab image, building it (and its base) if needed. */
export async function ensureLabImage(progress: (line: string) => void = () => undefined): Promise<string> {
  const base = await ensureBaseImage(progress);
  const baseId = (
    await dockerOk(['image', 'inspect', '--format', '{{.Id}}', base], { timeoutMs: 15_000 })
  ).trim();
  const tag = `${LAB_IMAGE_REPO}:${await buildContextHash(CONTEXT_DIR, [baseId])}`;
  const present = await docker(['image', 'inspect', '--format', '{{.Id}}', tag], { timeoutMs: 15_000 });
  if (present.exitCode === 0) return tag;
  progress(`building ${tag} (first time: a few minutes)`);
  await dockerOk(['build', '--build-arg', `BASE_IMAGE=${base}`, '-t', tag, CONTEXT_DIR], {
    timeoutMs: 1_800_000,
    onLine: (line) => progress(`build: ${line}`),
  });
  return tag;
}
