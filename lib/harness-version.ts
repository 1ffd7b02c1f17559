import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** pxchaos's own version, from its package.json (`0.0.0` if it cannot be read). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

let commit: Promise<string> | undefined;

/**
 * The git commit pxchaos runs from (`<sha>` plus `-dirty` when the checkout has changes), or
 * `unknown (…)` outside a git checkout (an installed package, the in-cluster image). Read once.
 */
export function harnessCommit(): Promise<string> {
  commit ??= git(['rev-parse', '--short=12', 'HEAD']).then(
    async (sha) => {
      const status = await git(['status', '--porcelain', '--untracked-files=no']).catch(() => '');
      return status.trim() ? `${sha}-dirty` : sha;
    },
    (err: Error) => `unknown (${err.message.split('\n')[0] ?? 'git failed'})`,
  );
  return commit;
}

function git(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', ROOT, ...args], { timeout: 5000 }, (err, stdout) =>
      err ? reject(new Error(err.message)) : resolve(stdout.trim()),
    );
  });
}
