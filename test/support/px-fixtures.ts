import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Recorded public Portworx output (verbatim, sources in its SOURCES.md), kept in the `shared/`
 * checkout that sits beside the repository, in CI as in the workspace.
 */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PX_FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/portworx');

export function pxFixture(name: string): string {
  return readFileSync(path.join(PX_FIXTURES, name), 'utf8');
}

/** The fixture files whose names match, so a new recording must be given its expected reading. */
export function pxFixturesMatching(pattern: RegExp): string[] {
  return readdirSync(PX_FIXTURES)
    .filter((f) => pattern.test(f))
    .sort();
}
