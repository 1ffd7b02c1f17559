import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/pxchaos.js', import.meta.url));

/** CLI processes not yet exited: a test that timed out leaves its `pxchaos run` going. */
const running = new Set<ChildProcess>();

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `pxchaos <args>` as its own process (what a user types), its output collected as it comes. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  /** Each complete output line as it comes (a long run's progress in the test log). */
  echo?: (line: string) => void,
): { child: ChildProcess; output: () => string; done: Promise<Finished> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const show = (d: string): void => {
    if (!echo) return;
    const lines = (pending + d).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) echo(line);
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    show(d);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    show(d);
  });
  running.add(child);
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, output: () => stdout + stderr, done };
}

/**
 * Stops every CLI process still running (SIGTERM: it heals its fault and exits; SIGKILL after
 * `graceMs`), naming each. Without this a test that timed out leaves its run waiting on a cluster
 * torn down after it, and the test process never exits (a CI run hung until its 90 min limit).
 */
export async function stopLeftoverClis(log: (line: string) => void, graceMs = 120_000): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      log(`stopping a pxchaos process a test left running: ${child.spawnargs.slice(2).join(' ')}`);
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await closed;
      clearTimeout(killer);
    }),
  );
}
