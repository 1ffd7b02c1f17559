import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The JUnit schema (Jenkins xUnit, junit-10.xsd) vendored with the tests so a fresh clone can validate. */
export const JUNIT_XSD = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/junit-10.xsd',
);

/** Why xmllint cannot run here, or undefined when it can. */
export function xmllintProblem(): string | undefined {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `xmllint not usable (${r.error.message}); apt-get install -y libxml2-utils`;
  return undefined;
}

/** Like requireDocker: skip with a visible reason locally, fail under CI=true. */
export function requireXmllint(ctx: Mocha.Context): void {
  const problem = xmllintProblem();
  if (!problem) return;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${problem}`);
  console.warn(`      SKIPPED (needs xmllint): ${problem}`);
  ctx.skip();
}

/** Validates a document against an XSD with the real xmllint; `output` holds its diagnostics. */
export function validateXml(xml: string, xsd = JUNIT_XSD): { valid: boolean; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', xsd, '-'], {
    input: xml,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { valid: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
