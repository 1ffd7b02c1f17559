import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { UsageError } from '../../lib/errors.js';
import { loadConfig } from '../../lib/pxchaos-config.js';

/**
 * For a mocha `describe`: each test gets its own temp directory; `load` writes pxchaos.yaml there
 * and loads it as a run would; `errorOf` expects that to be refused (UsageError) and returns why.
 */
export function configInTempDir(prefix: string): {
  load: (yamlText: string, env?: NodeJS.ProcessEnv) => ReturnType<typeof loadConfig>;
  errorOf: (yamlText: string) => Promise<string>;
} {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const load = async (yamlText: string, env: NodeJS.ProcessEnv = {}) => {
    await writeFile(path.join(dir, 'pxchaos.yaml'), yamlText);
    return loadConfig({ cwd: dir, env });
  };
  const errorOf = async (yamlText: string): Promise<string> => {
    try {
      await load(yamlText);
    } catch (err) {
      expect(err).to.be.instanceOf(UsageError);
      return (err as Error).message;
    }
    return expect.fail('expected a UsageError');
  };
  return { load, errorOf };
}
