import type { V1Deployment } from '@kubernetes/client-node';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

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

/**
 * The objects of one kind in a recorded install spec (multi-document YAML). Some documents there are
 * not valid YAML upstream (SOURCES.md §8: katacoda 2.0.3.8 line 6; the workshop 2.5.1
 * px-lighthouse has a duplicate key): those are skipped, the Deployments and StorageClasses we read parse.
 */
export function pxFixtureObjects<T>(name: string, kind: string): T[] {
  return parseAllDocuments(pxFixture(name))
    .filter((d) => d.errors.length === 0)
    .map((d) => d.toJS() as { kind?: string } | null)
    .filter((o) => o?.kind === kind) as T[];
}

/** The Deployment `stork` of a recorded install spec (each has exactly one). */
export function pxFixtureStorkDeployment(name: string): V1Deployment {
  const found = pxFixtureObjects<V1Deployment>(name, 'Deployment').filter(
    (d) => d.metadata?.name === 'stork',
  );
  if (found.length !== 1 || !found[0])
    throw new Error(`${name}: ${found.length} stork Deployments, expected one`);
  return found[0];
}
