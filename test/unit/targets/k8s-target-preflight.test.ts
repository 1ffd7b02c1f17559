import { refusal, sentinel } from '../../support/preflight-refusal.js';
import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { findKindCli } from '../../../lib/targets/kind-cli.js';
import { nodeNameMismatch } from '../../../lib/targets/kube-cluster-check.js';
import { VmTarget } from '../../../lib/targets/vm-target.js';
import { loadConfig } from '../../../lib/pxchaos-config.js';

const FINGERPRINT = 'SHA256:2mU4aLKx7pw1IE2tLWAgNwlK3q3vKDEgGpp3PF0IvJ8';
const noKubeLab = (): Promise<readonly string[]> => Promise.resolve([]);

describe('vm target preflight without a cluster', () => {
  let dir: string;
  let api: Awaited<ReturnType<typeof sentinel>>;
  let ssh: Awaited<ReturnType<typeof sentinel>>;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-vm-preflight-'));
    api = await sentinel();
    ssh = await sentinel();
    await writeFile(path.join(dir, 'id_ed25519'), 'not a key\n', { mode: 0o600 });
  });
  after(async () => {
    api.server.close();
    ssh.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const kubeconfig = async (name: string, server: string): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 'not-a-secret' } }],
        contexts: [{ name: 'prod-east', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'prod-east',
      }),
    );
    return file;
  };
  const target = async (vm: object, kube: object = {}): Promise<VmTarget> => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    const node = {
      name: 'w1',
      host: '127.0.0.1',
      port: ssh.port,
      keyPath: 'id_ed25519',
      hostKeyFingerprint: FINGERPRINT,
    };
    await writeFile(file, stringify({ target: 'vm', kube, vm: { inventory: [node], ...vm } }));
    return new VmTarget(await loadConfig({ file, env: {} }), { controlPlaneIps: noKubeLab });
  };

  it('a private key that is not there: exit 2 naming the inventory entry, before anything else', async () => {
    const t = await target({
      kubeconfig: 'missing-kubeconfig',
      inventory: [{ name: 'w1', host: '127.0.0.1', keyPath: 'nope', hostKeyFingerprint: FINGERPRINT }],
    });
    const err = await refusal(t.preflight());
    expect(err.exitCode, err.message).to.equal(2);
    expect(err.message).to.equal(
      `target vm: vm.inventory[0] (w1): private key ${path.join(dir, 'nope')} not found or not readable`,
    );
  });

  it('a kubeconfig that is not there: exit 3', async () => {
    const err = await refusal((await target({ kubeconfig: 'missing-kubeconfig' })).preflight());
    expect(err.exitCode, err.message).to.equal(3);
    expect(err.message).to.equal(`target vm: kubeconfig ${path.join(dir, 'missing-kubeconfig')} not found`);
  });

  it('a context the kubeconfig lacks: exit 2 listing the known ones', async () => {
    const kc = await kubeconfig('kc-context.yaml', `https://127.0.0.1:${api.port}`);
    const err = await refusal((await target({ kubeconfig: kc, context: 'prod-west' })).preflight());
    expect(err.exitCode, err.message).to.equal(2);
    expect(err.message).to.equal(
      `target vm: context 'prod-west' not in kubeconfig ${kc}; known contexts: prod-east`,
    );
  });

  it('a context outside kube.allowedContexts: exit 2, and neither the API server nor a node is contacted', async () => {
    const kc = await kubeconfig('kc-guard.yaml', `https://127.0.0.1:${api.port}`);
    const err = await refusal((await target({ kubeconfig: kc })).preflight());
    expect(err.exitCode, err.message).to.equal(2);
    expect(err.message).to.match(
      /^target vm: kube context 'prod-east' .* kube: \{ allowedContexts: \[prod-east\] \}$/,
    );
    expect(api.connections() + ssh.connections(), 'connections').to.equal(0);
  });

  it('an allowed context whose API server does not answer: exit 3 in one line', async () => {
    const closed = await sentinel();
    closed.server.close();
    const kc = await kubeconfig('kc-down.yaml', `https://127.0.0.1:${closed.port}`);
    const err = await refusal(
      (await target({ kubeconfig: kc }, { allowedContexts: ['prod-east'] })).preflight(),
    );
    expect(err.exitCode, err.message).to.equal(3);
    expect(err.message).to.match(
      new RegExp(
        `^target vm: Kubernetes API server https://127.0.0.1:${closed.port} \\(context prod-east\\) unreachable: (API server unreachable: )?connection refused`,
      ),
    );
  });
});

describe('config: kube.allowedContexts', () => {
  it('defaults to an empty list and refuses a bare string', async () => {
    const c = await loadConfig({ env: {}, cwd: tmpdir() });
    expect(c.kube.allowedContexts).to.deep.equal([]);
    const err = await refusal(
      loadConfig({ env: {}, cwd: tmpdir(), overrides: { kube: { allowedContexts: 'prod' } } }),
    );
    expect(err.exitCode).to.equal(2);
    expect(err.message).to.include('kube.allowedContexts');
    expect(err.message).to.include('expected a list of kubeconfig context names');
  });
});

describe('node name matching and the kind CLI lookup', () => {
  it('names nodes missing from either side, sorted; nothing when both agree', () => {
    const labels = { oursOnly: 'ours only', kubeOnly: 'kube only' };
    expect(nodeNameMismatch(['a', 'b'], ['b', 'a'], labels)).to.equal('');
    expect(nodeNameMismatch(['c', 'a', 'x'], ['a', 'd', 'b'], labels)).to.equal(
      'ours only: c, x; kube only: b, d',
    );
  });

  it('finds an executable kind on PATH and nothing else', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-kind-path-'));
    try {
      const a = path.join(dir, 'a');
      const b = path.join(dir, 'b');
      await Promise.all([mkdir(a), mkdir(b)]);
      await writeFile(path.join(a, 'kind'), 'not executable');
      expect(await findKindCli({ PATH: `${a}:${b}` })).to.equal(undefined);
      await writeFile(path.join(b, 'kind'), '#!/bin/sh\n');
      await chmod(path.join(b, 'kind'), 0o755);
      expect(await findKindCli({ PATH: `${a}:${b}` })).to.equal(path.join(b, 'kind'));
      expect(await findKindCli({})).to.equal(undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
