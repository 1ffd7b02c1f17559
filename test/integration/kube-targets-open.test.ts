import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../lib/config/load-config.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import type { ScenarioResult } from '../../lib/observe/timeline-events.js';
import { targetFor } from '../../lib/targets/targets.js';
import { countRows } from '../../lib/workload/pgbench.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';

const LAB = SHARED_KUBE_LAB;
const CLI = join(process.cwd(), 'bin', 'pxchaos.js');
const ROWS = 1_000_000; // pgbench -i -s 10, the default scale, as in the workshop
const log = (line: string): void => console.log(`      ${line}`);

/** Runs the CLI to its end; resolves with its exit code and output (never rejects on a non-zero exit). */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env, timeout: 1_200_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
    child.stderr?.on('data', (d: Buffer) => {
      for (const line of d.toString('utf8').split('\n').filter(Boolean)) log(`| ${line}`);
    });
  });
}

describe('kind and vm targets open Postgres on the kube lab (StatefulSet on GlusterFS, 1,000,000 pgbench rows)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let client: KubeClient;
  let dir: string;

  const runNamespaces = async (): Promise<string[]> => {
    const list = await client.call('list namespaces', () =>
      client.core.listNamespace({ labelSelector: 'pxchaos.io/run' }),
    );
    return list.items.map((n) => n.metadata?.name ?? '').sort();
  };

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-kube-open-'));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pxchaos run --target kind: arranges the StatefulSet, loads 1,000,000 rows in the pod, writes through the port-forward, stops before a fault gluster does not have yet, deletes its namespace', async () => {
    const before = await runNamespaces();
    const config = join(dir, 'kind.yaml');
    await writeFile(config, stringify({ target: 'kind', kind: { clusterName: LAB } }));
    const reports = join(dir, 'reports-kind');
    const started = performance.now();
    const r = await cli(
      ['run', '--config', config, '--scenario', 'network-partition', '--report-dir', reports],
      {
        ...process.env,
        PXCHAOS_LAB: '',
        PXCHAOS_CONFIG: '',
      },
    );
    log(`run --target kind: exit ${r.code} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Exit 1: the scenario stopped (the fault is not supported), it was not refused.
    expect(r.code, r.output).to.equal(1);
    expect(r.output).to.include('does not support the network-partition fault yet');
    const result = JSON.parse(
      await readFile(join(reports, 'network-partition.result.json'), 'utf8'),
    ) as ScenarioResult;
    expect([result.target, result.sut]).to.deep.equal(['kind', 'gluster']);
    const m = result.metrics;
    log(
      `rows ${String(m.rows_before)} → ${String(m.rows_after)}, writes acked ${String(m.acked)}, lost ${String(m.lost_acked)}, on ${String(m.primary_before)}`,
    );
    expect(m.rows_before).to.equal(ROWS);
    expect(m.rows_after).to.equal(ROWS);
    // The ledger wrote through the port-forward during the baseline and read every write back.
    expect(m.acked).to.be.a('number').greaterThan(0);
    expect(m.lost_acked).to.equal(0);
    expect(up.layout.workers.map((w) => w.name)).to.include(m.primary_before);
    expect(await readFile(join(reports, 'junit.xml'), 'utf8')).to.include('network-partition');
    // The run deleted the namespace it made, and only that one.
    expect(await runNamespaces()).to.deep.equal(before);
  });

  it('--target vm (kubeconfig + SSH inventory): opens Postgres on nodes reached over SSH, loads pgbench in the pod, counts 1,000,000 rows through the port-forward; close deletes the namespace', async () => {
    const before = await runNamespaces();
    // The kube lab's own config file: target vm, storage driver gluster (vm's default is portworx).
    const config = await loadConfig({ file: up.access.inventory, env: {} });
    const open = await targetFor(config).open(log, AbortSignal.timeout(900_000));
    let namespace: string | undefined;
    try {
      const { sut } = open;
      expect([open.name, sut.name]).to.deep.equal(['vm', 'gluster']);
      expect(sut.nodes.map((n) => n.name)).to.deep.equal(up.layout.workers.map((w) => w.name));
      const hostnames = await Promise.all(
        sut.nodes.map(async (n) => (await n.exec(['hostname'], { timeoutMs: 15_000 })).stdout.trim()),
      );
      expect(hostnames).to.deep.equal(up.layout.workers.map((w) => w.name));
      [namespace] = (await runNamespaces()).filter((n) => !before.includes(n));
      expect(namespace, 'the run namespace').to.be.a('string');

      const loaded = await sut.loadPgbench(config.workload.pgbenchScale, { onProgress: log });
      expect(loaded.rows).to.equal(ROWS);
      const endpoint = await sut.writeEndpoint(AbortSignal.timeout(10_000));
      expect(await countRows(endpoint, 'pgbench_accounts', { signal: AbortSignal.timeout(60_000) })).to.equal(
        ROWS,
      );
      const health = await sut.health(AbortSignal.timeout(30_000));
      expect(health.problems).to.deep.equal([]);
      expect(health.primary).to.equal(await sut.primaryNode(AbortSignal.timeout(10_000)));
    } finally {
      await open.close();
    }
    expect(await runNamespaces()).to.deep.equal(before);
    log(`${namespace ?? '?'} deleted by close()`);
  });
});
