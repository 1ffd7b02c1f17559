import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/pxchaos.js', import.meta.url));

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
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, output: () => stdout + stderr, done };
}
