import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.js';
import { pxchaosCacheDir } from './kube-cache-dir.js';

/** The Kubernetes release Debian's bookworm `kubernetes` source package really contains. */
export const KUBE_VERSION = 'v1.20.2';
export const KUBE_BINARIES = [
  'kubelet',
  'kubeadm',
  'kubectl',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
  'pause',
] as const;
export type KubeBinary = (typeof KUBE_BINARIES)[number];

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'build', 'build-kubernetes.sh');

export interface KubeBinaries {
  readonly dir: string;
  /** Version + build-input hash: images built from these binaries are keyed by it. */
  readonly key: string;
  readonly built: boolean;
  path(bin: KubeBinary): string;
}

/** Cache key: the version and the build script (which holds every build input we control). */
async function buildKey(): Promise<string> {
  const script = await readFile(BUILD_SCRIPT);
  return `${KUBE_VERSION}-${createHash('sha256').update(script).digest('hex').slice(0, 12)}`;
}

const present = async (dir: string): Promise<boolean> => {
  try {
    await Promise.all(KUBE_BINARIES.map((b) => access(join(dir, b))));
    return true;
  } catch {
    return false;
  }
};

/**
 * The kube lab's binaries, built once from Debian's `kubernetes` source package with Debian's Go
 * (~8 minutes on 2 cores) and cached under $XDG_CACHE_HOME/pxchaos/kubernetes/<version>-<hash>;
 * never rebuilt while present. Progress lines are passed on during the build.
 */
export async function ensureKubeBinaries(
  progress: (line: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<KubeBinaries> {
  const key = await buildKey();
  const dir = join(pxchaosCacheDir(), 'kubernetes', key);
  const result = (built: boolean): KubeBinaries => ({
    dir,
    key,
    built,
    path: (bin) => join(dir, bin),
  });
  if (await present(dir)) return result(false);
  progress(
    `building Kubernetes ${KUBE_VERSION} from Debian's source package into ${dir} (once; ~8 min on 2 cores)`,
  );
  await runBuild(dir, progress, signal);
  if (!(await present(dir))) throw new Error(`the Kubernetes build finished but ${dir} lacks binaries`);
  return result(true);
}

function runBuild(out: string, progress: (line: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', [BUILD_SCRIPT, out], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onAbort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        if (line.startsWith('step: ')) progress(`kubernetes build: ${line.slice(6)}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // A heartbeat during the long go builds, which print nothing for minutes.
    const beat = setInterval(
      () =>
        progress(`kubernetes build: still building (${Math.round((performance.now() - started) / 1000)}s)`),
      60_000,
    );
    child.on('error', (err) => {
      clearInterval(beat);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(beat);
      signal?.removeEventListener('abort', onAbort);
      if (code === 0) return resolve();
      const last =
        tail
          .filter((l) => !l.startsWith('step: '))
          .slice(-3)
          .join(' | ') ||
        tail.at(-1) ||
        '';
      const message = last.replace(/^error: /, '');
      if (code === 3) reject(new EnvironmentError(`cannot build Kubernetes here: ${message}`));
      else reject(new Error(`the Kubernetes build failed (exit ${String(code)}): ${message}`));
    });
  });
}
