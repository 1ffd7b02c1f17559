import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's cache directory for pxchaos builds: $XDG_CACHE_HOME/pxchaos, else ~/.cache/pxchaos. */
export function pxchaosCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pxchaos');
}
