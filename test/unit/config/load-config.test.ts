import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { UsageError } from '../../../lib/errors.js';
import { parseDuration } from '../../../lib/time/duration.js';
import { loadConfig, envVariableNames } from '../../../lib/pxchaos-config.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function expectUsageError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    const e = err as UsageError;
    expect(e.exitCode).to.equal(2);
    // Readable for a person: no zod dump, no stack frames in the message.
    expect(e.message).not.to.match(/ZodError|invalid_type|"code":|\n\s+at /);
    return e.message;
  }
  expect.fail('expected a UsageError');
}

describe('loadConfig', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeConfig = (text: string, name = 'pxchaos.yaml') => writeFile(path.join(dir, name), text);

  it('gives defaults without a file, durations in ms and paths absolute', async () => {
    const c = await loadConfig({ cwd: dir, env: {} });
    expect(c.target).to.equal('lab');
    expect(c.reportDir).to.equal(path.join(dir, 'reports'));
    expect(c.lab.patroni.ttlMs).to.equal(parseDuration('20s'));
    expect(c.workload.probeIntervalMs).to.equal(parseDuration('100ms'));
    expect(c.source).to.equal(undefined);
    expect(c.vm).to.equal(undefined);
  });

  it('reads pxchaos.yaml from cwd and converts durations with units', async () => {
    await writeConfig(
      'target: kind\nworkload: { queryTimeout: 1m30s, probeInterval: 250ms }\nlab:\n  patroni: { ttl: 30s, retryTimeout: 10s }\n',
    );
    const c = await loadConfig({ cwd: dir, env: {} });
    expect(c.target).to.equal('kind');
    expect(c.workload.queryTimeoutMs).to.equal(90_000);
    expect(c.workload.probeIntervalMs).to.equal(250);
    expect(c.lab.patroni.ttlMs).to.equal(30_000);
    expect(c.lab.patroni.retryTimeoutMs).to.equal(10_000);
    expect(c.source).to.equal(path.join(dir, 'pxchaos.yaml'));
  });

  it('lets the environment override the file, and flags override both', async () => {
    await writeConfig('target: kind\nreportDir: from-file\nlab: { nodes: 5 }\n');
    const env = {
      PXCHAOS_TARGET: 'lab',
      PXCHAOS_LAB_NODES: '3',
      PXCHAOS_LAB_PATRONI_TTL: '40s',
      PXCHAOS_REPORT_DIR: 'from-env',
    };
    const c = await loadConfig({ cwd: dir, env });
    expect(c.target).to.equal('lab');
    expect(c.lab.nodes).to.equal(3);
    expect(c.lab.patroni.ttlMs).to.equal(40_000);
    expect(c.reportDir).to.equal(path.join(dir, 'from-env'));
    const flagged = await loadConfig({
      cwd: dir,
      env,
      overrides: { target: 'vm', reportDir: 'from-flag' },
    }).catch((e: Error) => e);
    // target vm needs a vm section: the flag was applied (and validated like the rest).
    expect((flagged as Error).message).to.include('vm');
    const c2 = await loadConfig({ cwd: dir, env, overrides: { reportDir: 'from-flag' } });
    expect(c2.reportDir).to.equal(path.join(dir, 'from-flag'));
  });

  it('maps nested and per-scenario keys to PXCHAOS_* names', async () => {
    const names = envVariableNames();
    expect(names).to.include.members([
      'PXCHAOS_TARGET',
      'PXCHAOS_REPORT_DIR',
      'PXCHAOS_WORKLOAD_PGBENCH_SCALE',
      'PXCHAOS_SCENARIOS_NETWORK_PARTITION_THRESHOLDS_RECOVERY_WITHIN',
    ]);
    const c = await loadConfig({
      cwd: dir,
      env: {
        PXCHAOS_SCENARIOS_DRIVE_OFFLINE_HOLD: '2m',
        PXCHAOS_SCENARIOS_DRIVE_OFFLINE_THRESHOLDS_PRIMARY_MOVES: 'either',
        PXCHAOS_SCENARIOS_DRIVE_OFFLINE_THRESHOLDS_FAILED_WRITES_ALLOWED: 'false',
        PXCHAOS_UNRELATED_SETTING: 'ignored',
      },
    });
    expect(c.scenarios['drive-offline']?.holdMs).to.equal(120_000);
    expect(c.scenarios['drive-offline']?.thresholds?.primaryMoves).to.equal('either');
    expect(c.scenarios['drive-offline']?.thresholds?.failedWritesAllowed).to.equal(false);
  });

  it('names the bad key, its line and the expected form', async () => {
    await writeConfig('target: lab\nlab:\n  patroni:\n    ttl: 20\n');
    const message = await expectUsageError(loadConfig({ cwd: dir, env: {} }));
    expect(message).to.include('lab.patroni.ttl');
    expect(message).to.include('line 4');
    expect(message).to.match(/duration .*unit/);
    expect(message).to.include('got 20');
  });

  it('names unknown keys (typos) and unknown scenario names', async () => {
    await writeConfig('lab: { nodez: 3 }\nscenarios:\n  network-partiton: { hold: 10s }\n');
    const message = await expectUsageError(loadConfig({ cwd: dir, env: {} }));
    expect(message).to.include('lab.nodez');
    expect(message).to.include('unknown key');
    expect(message).to.include('scenarios.network-partiton');
    expect(message).to.include('network-partition');
  });

  it('names the environment variable that holds a bad value', async () => {
    const message = await expectUsageError(
      loadConfig({ cwd: dir, env: { PXCHAOS_TARGET: 'docker', PXCHAOS_WORKLOAD_WRITE_RATE: 'fast' } }),
    );
    expect(message).to.include('PXCHAOS_TARGET (target)');
    expect(message).to.include('lab, kind, vm');
    expect(message).to.include('PXCHAOS_WORKLOAD_WRITE_RATE (workload.writeRate)');
  });

  it("enforces Patroni's timing rule and whole seconds", async () => {
    await writeConfig('lab:\n  patroni: { ttl: 20s, loopWait: 2s, retryTimeout: 10s }\n');
    expect(await expectUsageError(loadConfig({ cwd: dir, env: {} }))).to.include('lab.patroni');
    await writeConfig('lab:\n  patroni: { ttl: 20500ms }\n');
    expect(await expectUsageError(loadConfig({ cwd: dir, env: {} }))).to.include('whole seconds');
  });

  it('requires a vm section with a pinned host key for target vm', async () => {
    await writeConfig('target: vm\n');
    expect(await expectUsageError(loadConfig({ cwd: dir, env: {} }))).to.match(/: vm: expected a vm section/);
    await writeConfig(
      'target: vm\nvm:\n  kubeconfig: kc\n  inventory:\n    - { name: a, host: h, keyPath: k }\n',
    );
    expect(await expectUsageError(loadConfig({ cwd: dir, env: {} }))).to.include(
      'vm.inventory[0].hostKeyFingerprint',
    );
  });

  it('resolves paths set in the file relative to the file', async () => {
    await mkdir(path.join(dir, 'conf'));
    const fp = `SHA256:${'a'.repeat(43)}`;
    await writeConfig(
      `target: vm\nreportDir: out\nvm:\n  kubeconfig: kube/config\n  inventory:\n    - { name: a, host: h, keyPath: keys/id, hostKeyFingerprint: "${fp}" }\n`,
      'conf/my.yaml',
    );
    const c = await loadConfig({ cwd: dir, env: {}, file: 'conf/my.yaml' });
    expect(c.reportDir).to.equal(path.join(dir, 'conf', 'out'));
    expect(c.vm?.kubeconfig).to.equal(path.join(dir, 'conf', 'kube', 'config'));
    expect(c.vm?.inventory[0]?.keyPath).to.equal(path.join(dir, 'conf', 'keys', 'id'));
    expect(c.vm?.inventory[0]?.port).to.equal(22);
  });

  it('refuses a missing --config file and reports YAML syntax errors with a position', async () => {
    expect(await expectUsageError(loadConfig({ cwd: dir, env: {}, file: 'nope.yaml' }))).to.include(
      'nope.yaml',
    );
    expect(await expectUsageError(loadConfig({ cwd: dir, env: { PXCHAOS_CONFIG: 'gone.yaml' } }))).to.include(
      'gone.yaml',
    );
    await writeConfig('target: [lab\n');
    expect(await expectUsageError(loadConfig({ cwd: dir, env: {} }))).to.match(
      /pxchaos\.yaml:\d+:\d+: not valid YAML/,
    );
    await writeConfig('- just\n- a list\n');
    expect(await expectUsageError(loadConfig({ cwd: dir, env: {} }))).to.include('expected a mapping');
  });

  it('runs pgbench transactions small by default, tunable, and turned off by one key or variable', async () => {
    const defaults = await loadConfig({ cwd: dir, env: {} });
    expect(defaults.workload.pgbench).to.deep.equal({
      enabled: true,
      clients: 2,
      ratePerSec: 10,
      segmentMs: 10_000,
    });
    await writeConfig('workload:\n  pgbench: { clients: 4, rate: 2.5, segment: 30s }\n');
    const tuned = await loadConfig({ cwd: dir, env: {} });
    expect(tuned.workload.pgbench).to.deep.equal({
      enabled: true,
      clients: 4,
      ratePerSec: 2.5,
      segmentMs: 30_000,
    });
    const off = await loadConfig({ cwd: dir, env: { PXCHAOS_WORKLOAD_PGBENCH_ENABLED: 'false' } });
    expect(off.workload.pgbench.enabled).to.equal(false);
    await writeConfig('workload:\n  pgbench: { segment: 1500ms, clients: 0 }\n');
    const message = await expectUsageError(loadConfig({ cwd: dir, env: {} }));
    expect(message).to.include('workload.pgbench.segment').and.to.include('whole seconds');
    expect(message).to.include('workload.pgbench.clients').and.to.include('from 1 to 99');
  });

  it('accepts the documented example file', async () => {
    const c = await loadConfig({ cwd: dir, env: {}, file: path.join(repoRoot, 'pxchaos.example.yaml') });
    expect(c.target).to.equal('lab');
    // The example documents the defaults.
    expect(c.workload.pgbench).to.deep.equal((await loadConfig({ cwd: dir, env: {} })).workload.pgbench);
    expect(c.scenarios['network-partition']?.thresholds?.recoveryWithinMs).to.equal(parseDuration('60s'));
    expect(c.vm?.inventory).to.have.length(2);
  });
});
