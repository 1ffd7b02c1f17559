import { build, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./page/live-page-script.ts', import.meta.url));

/**
 * The report's code reaches node:crypto only to digest a ledger read-back, which the live page never
 * has: in the browser that import is a stub that says so if it is ever called.
 */
const nodeBuiltinsStub: Plugin = {
  name: 'node-builtins-stub',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
      contents: `export const createHash = () => { throw new Error('${args.path} is not in the browser'); };`,
      loader: 'js',
    }));
  },
};

let bundled: Promise<string> | undefined;

/** The live page's script with the report's chart and metrics code, bundled once per process (~100 ms). */
export function livePageScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [nodeBuiltinsStub],
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('the live page script did not bundle');
    return file.text;
  });
  return bundled;
}
