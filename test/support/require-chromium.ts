import { execFile } from 'node:child_process';

/** The browser the tests drive: Debian's `chromium` package (`.ci/run` installs it). */
export const CHROMIUM = 'chromium';

let cached: Promise<string | undefined> | undefined;

/** Why Chromium cannot be used here, or undefined when `chromium --version` answers. */
function chromiumProblem(): Promise<string | undefined> {
  cached ??= new Promise((resolve) => {
    execFile(CHROMIUM, ['--version'], { timeout: 20_000 }, (err, stdout) => {
      if (!err && /chromium/i.test(stdout)) resolve(undefined);
      else resolve(`${CHROMIUM} not usable: ${err ? err.message.split('\n')[0] : `it printed ${stdout}`}`);
    });
  });
  return cached;
}

/**
 * Call in a `before` hook of every suite that drives a browser. Locally, without Chromium, the
 * suite is skipped with a visible reason; under CI=true it fails instead, so nothing is silently
 * skipped in CI.
 */
export async function requireChromium(ctx: Mocha.Context): Promise<void> {
  const problem = await chromiumProblem();
  if (!problem) return;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${problem}`);
  console.warn(`      SKIPPED (needs Chromium: apt-get install chromium): ${problem}`);
  ctx.skip();
}
