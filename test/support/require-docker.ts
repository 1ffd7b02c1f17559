import { docker } from '../../lib/docker/docker-cli.js';

let cached: Promise<string | undefined> | undefined;

/** Why Docker cannot be used here, or undefined when an engine answers. */
function dockerProblem(): Promise<string | undefined> {
  cached ??= docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 }).then(
    (r) => (r.exitCode === 0 ? undefined : `Docker engine not reachable: ${r.stderr.trim().split('\n')[0]}`),
    (err: unknown) => `Docker not usable: ${(err as Error).message}`,
  );
  return cached;
}

/**
 * Call in a `before` hook of every suite that needs Docker. Locally, without Docker, the suite is
 * skipped with a visible reason; under CI=true it fails instead, so nothing is silently skipped in CI.
 */
export async function requireDocker(ctx: Mocha.Context): Promise<void> {
  const problem = await dockerProblem();
  if (!problem) return;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${problem}`);
  console.warn(`      SKIPPED (needs Docker): ${problem}`);
  ctx.skip();
}
