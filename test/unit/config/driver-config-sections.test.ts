import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { configSchema } from '../../../lib/pxchaos-config.js';
import { PORTWORX_CONFIG } from '../../../lib/sut/portworx/portworx-config.js';
import {
  STORAGE_DRIVER_PROFILES,
  STORAGE_DRIVERS,
} from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { configInTempDir } from '../../support/config-in-temp-dir.js';

const LIB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../lib');

/** The files a module under `dir` imports (`import`, `import type`, `export ... from`), as paths under lib/. */
function importsOf(dir: string): { file: string; imported: string }[] {
  const found: { file: string; imported: string }[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.ts')) continue;
    const file = path.join(dir, name);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(
      /(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g,
    )) {
      const spec = m[1] ?? m[2] ?? '';
      const imported = path.relative(LIB, path.resolve(path.dirname(file), spec));
      found.push({ file: path.relative(LIB, file), imported });
    }
  }
  return found;
}

describe('config: the storage drivers’ sections, composed from the registry', () => {
  const { load, errorOf } = configInTempDir('pxchaos-driver-sections-');

  it("validates a driver's section through the composed schema, with its one-line error", async () => {
    const message = await errorOf('portworx:\n  agentStop: kill\n');
    expect(message).to.equal(
      'invalid configuration in pxchaos.yaml: portworx.agentStop (line 2): expected one of: label+systemctl, systemctl, label, pkill (got "kill")',
    );
  });

  it("resolves a driver section's file paths against the config file", async () => {
    const config = await load('portworx:\n  install:\n    specFile: specs/px.yaml\n');
    expect(config.portworx.install.specFile).to.equal(
      path.join(path.dirname(config.source ?? ''), 'specs', 'px.yaml'),
    );
  });

  it('lists each driver once, by its own name; kube.sut takes every one and nothing else', () => {
    for (const [name, profile] of Object.entries(STORAGE_DRIVER_PROFILES))
      expect(profile.name).to.equal(name);
    expect(STORAGE_DRIVERS).to.deep.equal(Object.keys(STORAGE_DRIVER_PROFILES));
    for (const sut of STORAGE_DRIVERS) expect(configSchema.parse({ kube: { sut } }).kube.sut).to.equal(sut);
    expect(configSchema.safeParse({ kube: { sut: 'nfs' } }).success).to.equal(false);
  });

  it("gives a driver's section its defaults when the file has none", () => {
    expect(configSchema.parse({}).portworx).to.deep.equal(PORTWORX_CONFIG.schema.parse({}));
  });

  it('lib/config imports nothing of lib/sut, lib/report or the composition (lib/pxchaos-config.ts)', () => {
    const outward = importsOf(path.join(LIB, 'config')).filter(
      ({ imported }) =>
        imported.startsWith(`sut${path.sep}`) ||
        imported.startsWith(`report${path.sep}`) ||
        imported === 'pxchaos-config.js',
    );
    expect(outward).to.deep.equal([]);
    // The check sees imports at all: lib/config's own modules import each other.
    expect(importsOf(path.join(LIB, 'config'))).to.not.deep.equal([]);
  });
});
