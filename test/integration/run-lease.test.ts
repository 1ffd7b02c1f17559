import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { EnvironmentError } from '../../lib/errors.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import { acquireRunLease, LEASE_NAMESPACE } from '../../lib/k8s/run-lease.js';
import { startCli } from '../support/cli-process.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { waitFor } from '../support/wait-for.js';

const log = (line: string): void => console.log(`      ${line}`);
/** A lease of this test's own, so that it never meets the one real runs take. */
const TEST_LEASE = 'pxchaos-run-lease-it';

describe('the cluster-wide run lease (coordination.k8s.io Lease on the kube lab)', function () {
  this.timeout(600_000);
  let client: KubeClient;
  let kubeconfig: string;
  let context: string;
  const notes: string[] = [];
  const say = (line: string): void => void notes.push(line);

  before(async function () {
    await requireDocker(this);
    const up = await sharedKubeLab(log);
    ({ kubeconfig, context } = up.access);
    client = await connectKube({ kubeconfig, context });
  });

  it('refuses a second holder naming the first, and lets it in once the first releases', async () => {
    const first = await acquireRunLease(client, { what: 'the first run', name: TEST_LEASE, say });
    try {
      const refused = await acquireRunLease(client, { what: 'the second run', name: TEST_LEASE, say }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).to.be.instanceOf(EnvironmentError);
      expect((refused as EnvironmentError).exitCode).to.equal(3);
      expect((refused as Error).message).to.match(
        new RegExp(
          `^the cluster is busy: the first run from \\S+ \\(pid ${process.pid}, started ${first.holder.startedAt.replace(/[.]/g, '\\.')}\\) holds its run lease \\(Lease ${LEASE_NAMESPACE}/${TEST_LEASE} on https://`,
        ),
      );
    } finally {
      await first.release();
    }
    const second = await acquireRunLease(client, { what: 'the second run', name: TEST_LEASE, say });
    await second.release();
    expect(notes, 'a released lease is deleted: nothing to take over').to.deep.equal([]);
  });

  it('takes over a lease its holder stopped renewing, and the old holder learns it lost it', async () => {
    // The "dead" holder: renews only after 4 s, its lease lasting 2 s.
    const dead = await acquireRunLease(client, {
      what: 'a run killed with -9',
      name: TEST_LEASE,
      durationS: 2,
      renewEveryMs: 4000,
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const taker = await acquireRunLease(client, { what: 'the next run', name: TEST_LEASE, say });
    try {
      expect(notes.at(-1)).to.match(
        /^taking over the cluster's run lease held by a run killed with -9 from .* not renewed for \d/,
      );
      await waitFor('the old holder to see the lease gone', () => dead.lost.aborted, 10_000, 100);
      expect(String((dead.lost.reason as Error).message)).to.match(/taken from this run/);
      await dead.release(); // must not delete the new holder's lease
      const still = await acquireRunLease(client, { what: 'a third run', name: TEST_LEASE }).catch(
        (err: unknown) => err,
      );
      expect(still, 'the taker still holds it').to.be.instanceOf(EnvironmentError);
    } finally {
      await taker.release();
    }
  });

  it('takes over at once a lease whose holder on this machine was killed with -9; not one held from another machine', async () => {
    // A real holder process on this machine, with the real lease's 60 s duration, then killed.
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { connectKube } from './lib/k8s/kube-client.ts';
         import { acquireRunLease } from './lib/k8s/run-lease.ts';
         const client = await connectKube({ kubeconfig: ${JSON.stringify(kubeconfig)}, context: ${JSON.stringify(context)} });
         await acquireRunLease(client, { what: 'a run to be killed', name: '${TEST_LEASE}' });
         console.log('held');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    let out = '';
    holder.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      await waitFor('the holder process to hold the lease', () => out.includes('held'), 60_000, 100);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    const taker = await acquireRunLease(client, { what: 'the next run', name: TEST_LEASE, say });
    try {
      expect(notes.at(-1)).to.match(
        new RegExp(
          `^taking over the cluster's run lease held by a run to be killed from \\S+ \\(pid ${holder.pid},.*that process, on this machine, is no longer running$`,
        ),
      );
    } finally {
      await taker.release();
    }

    // The same pid, but from another machine: it cannot be checked from here, so the lease holds.
    const api = client.api(CoordinationV1Api);
    const foreign = {
      host: 'another-machine',
      pid: holder.pid,
      startedAt: new Date().toISOString(),
      what: 'a run elsewhere',
    };
    await client.call('create a foreign lease', () =>
      api.createNamespacedLease({
        namespace: LEASE_NAMESPACE,
        body: {
          metadata: { name: TEST_LEASE, annotations: { 'pxchaos.io/holder': JSON.stringify(foreign) } },
          spec: { holderIdentity: 'another-machine', leaseDurationSeconds: 60, renewTime: new V1MicroTime() },
        },
      }),
    );
    try {
      const refused = await acquireRunLease(client, { what: 'the next run', name: TEST_LEASE }).catch(
        (err: unknown) => err,
      );
      expect(refused).to.be.instanceOf(EnvironmentError);
      expect((refused as Error).message).to.match(
        /^the cluster is busy: a run elsewhere from another-machine/,
      );
    } finally {
      await client.call('delete the foreign lease', () =>
        api.deleteNamespacedLease({ name: TEST_LEASE, namespace: LEASE_NAMESPACE }),
      );
    }
  });

  it('a real `pxchaos run` from another machine (another state directory) is refused, exit 3, touching nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pxchaos-lease-'));
    // The real runs' lease, held as another machine's run would hold it.
    const other = await acquireRunLease(client, {
      what: 'pxchaos run on kind cluster (another machine)',
      say,
    });
    try {
      // Another machine: its own state directory (its own run lock), the kube lab's kubeconfig copied in.
      const labState = path.dirname(kubeconfig);
      await cp(labState, path.join(dir, 'state', 'kube-labs', path.basename(labState)), { recursive: true });
      const config = path.join(dir, 'pxchaos.yaml');
      await writeFile(config, stringify({ target: 'kind', kind: { clusterName: SHARED_KUBE_LAB } }));
      const run = await startCli(
        [
          'run',
          '--config',
          config,
          '--report-dir',
          path.join(dir, 'reports'),
          '--scenario',
          'network-partition',
        ],
        { PXCHAOS_CONFIG: '', PXCHAOS_STATE_DIR: path.join(dir, 'state') },
      ).done;
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stderr).to.match(
        /^pxchaos: the cluster is busy: pxchaos run on kind cluster \(another machine\) from /m,
      );
      const namespaces = (await client.call('list namespaces', () => client.core.listNamespace())).items;
      expect(
        namespaces.map((n) => n.metadata?.name ?? '').filter((n) => n.startsWith('pxchaos-run-')),
      ).to.deep.equal([]);
    } finally {
      await other.release();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
