import { setCordoned } from '../support/kube-node-cordon.js';
import { expect } from 'chai';
import { inspect } from 'node:util';
import { deleteAndWaitGone } from '../../lib/k8s/delete-objects.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import type { Expectations } from '../../lib/sut/expectations.js';
import { GLUSTER_AGENT, GLUSTER_DRIVE } from '../../lib/sut/gluster/gluster-node-commands.js';
import { arrangePostgres, type ArrangedPostgres } from '../../lib/sut/postgres-on-k8s/arrange-postgres.js';
import { countAccountRows, loadPgbench } from '../../lib/sut/postgres-on-k8s/pgbench-load.js';
import { postgresPod, POSTGRES_POD } from '../../lib/sut/postgres-on-k8s/pod-sql.js';
import type { PostgresK8sSettings } from '../../lib/sut/postgres-on-k8s/postgres-k8s-settings.js';
import { PostgresOnK8sSut } from '../../lib/sut/postgres-on-k8s/postgres-on-k8s-sut.js';
import { PodNotReadyError, waitForPostgresReady } from '../../lib/sut/postgres-on-k8s/postgres-pod-ready.js';
import { expectedAccountRows } from '../../lib/sut/postgres-on-k8s/pgbench-init.js';
import {
  deleteRunNamespace,
  NotARunNamespaceError,
} from '../../lib/sut/postgres-on-k8s/run-namespace-teardown.js';
import { postgresK8sSettings } from '../../lib/sut/postgres-on-k8s/storage-drivers.js';
import type { PgEndpoint, SutEvent } from '../../lib/sut/sut.js';
import { closeClient, connectPg } from '../../lib/workload/pg-connect.js';
import { requireDocker } from '../support/require-docker.js';
import { waitFor } from '../support/wait-for.js';
import { configSchema } from '../../lib/pxchaos-config.js';

const LAB = SHARED_KUBE_LAB;
const log = (line: string): void => console.log(`      ${line}`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** This suite asserts no fault expectation: the SUT needs a table, so it gets an explicit "none". */
const NOT_ASSERTED = {
  recoveryWithinMs: 0,
  failedWritesAllowed: true,
  primaryMoves: 'either',
  holdMs: 0,
  source: 'postgres-on-k8s.test.ts: no fault scenario runs here',
} as const;
const NO_EXPECTATIONS: Expectations = {
  'network-partition': NOT_ASSERTED,
  'agent-restart-within-grace': NOT_ASSERTED,
  'agent-down-past-grace': NOT_ASSERTED,
  'drive-offline': NOT_ASSERTED,
};

/** One SQL statement through an endpoint, with client-side deadlines. */
async function sql<T extends Record<string, unknown>>(
  endpoint: PgEndpoint,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const conn = await connectPg(endpoint, {
    applicationName: 'pxchaos-it',
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 20_000,
  });
  try {
    return (await conn.client.query<T>(text, values)).rows;
  } finally {
    await closeClient(conn.client);
  }
}

describe('Postgres on Kubernetes on the kube lab (StatefulSet on GlusterFS)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let client: KubeClient;
  let settings: PostgresK8sSettings;
  const namespacesToClean: string[] = [];

  const namespaces = async (): Promise<Map<string, string>> => {
    const list = await client.call('list namespaces', () => client.core.listNamespace());
    return new Map(list.items.map((n) => [n.metadata?.name ?? '', n.metadata?.uid ?? '']));
  };

  before(async function () {
    await requireDocker(this);
    up = await sharedKubeLab(log);
    log(`kube lab ${LAB}: ${up.outcome} in ${seconds(up.durationMs)}`);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
    const config = configSchema.parse({ target: 'kind' });
    settings = postgresK8sSettings(config.kube, 'gluster', up.images.postgres);
  });

  after(async () => {
    if (!client) return;
    for (const ns of namespacesToClean)
      await deleteRunNamespace(client, ns, { prefix: settings.namespacePrefix }).catch((err: unknown) =>
        log(`cleanup: ${(err as Error).message}`),
      );
  });

  it('arranges Postgres on Gluster, loads pgbench, and serves the same data from another node after a reschedule', async () => {
    const before = await namespaces();
    let arranged: ArrangedPostgres | undefined;
    let sut: PostgresOnK8sSut | undefined;
    const events: SutEvent[] = [];
    const watching = new AbortController();
    try {
      arranged = await arrangePostgres(client, { settings, progress: log });
      namespacesToClean.push(arranged.namespace);
      const { namespace } = arranged;
      log(`arranged ${namespace}: Ready on ${arranged.ready.node} in ${seconds(arranged.durationMs)}`);
      // The password is in the Secret and the endpoint, nowhere printable.
      expect(inspect(arranged)).to.not.include(arranged.credentials.password);
      expect(JSON.stringify(arranged)).to.not.include(arranged.credentials.password);
      const ns = await client.call('read ns', () => client.core.readNamespace({ name: namespace }));
      expect(ns.metadata?.labels?.['pxchaos.io/run']).to.equal(arranged.runId);
      const pvc = await client.call('read pvc', () =>
        client.core.readNamespacedPersistentVolumeClaim({ name: `data-${POSTGRES_POD}`, namespace }),
      );
      expect([pvc.spec?.storageClassName, pvc.status?.phase]).to.deep.equal(['gluster-replicated', 'Bound']);

      // Scale 1 (100,000 rows): the default scale's 1,000,000 rows through faults are the kube suite's (npm run kube).
      const scale = 1;
      const loaded = await loadPgbench(client, postgresPod(namespace), scale, { progress: log });
      const rows = await countAccountRows(client, postgresPod(namespace));
      expect(rows).to.equal(expectedAccountRows(scale));
      log(
        `pgbench -i -s ${scale}: ${rows} rows in ${seconds(loaded.durationMs)} (checkpoint ${seconds(loaded.checkpointMs)})`,
      );

      const workers = up.layout.workers.map((w) => new DockerExecNode(w.name, w.name));
      sut = new PostgresOnK8sSut({
        name: 'gluster',
        client,
        namespace,
        credentials: arranged.credentials,
        nodes: workers,
        agentCommands: () => GLUSTER_AGENT,
        driveCommands: () => GLUSTER_DRIVE,
        expectations: NO_EXPECTATIONS,
        onConnection: (c) => {
          if (c.error) log(`forward: ${c.error}`);
        },
      });
      sut.watch((e) => events.push(e), watching.signal);
      const health = await sut.settle(AbortSignal.timeout(60_000));
      expect(health).to.deep.include({ healthy: true, primary: arranged.ready.node });

      const endpoint = await sut.writeEndpoint();
      expect(endpoint.password).to.equal(arranged.credentials.password);
      const oldNode = await sut.primaryNode();
      expect(oldNode).to.equal(arranged.ready.node);
      const marker = `written on ${oldNode} at ${new Date().toISOString()}`;
      await sql(endpoint, 'create table pxchaos_it (id serial primary key, note text not null)');
      const [written] = await sql<{ id: number }>(
        endpoint,
        'insert into pxchaos_it (note) values ($1) returning id',
        [marker],
      );
      expect(written?.id).to.be.a('number');

      const cordon = (unschedulable: boolean): Promise<unknown> =>
        setCordoned(client, oldNode, unschedulable);
      try {
        // Cordoned, so the StatefulSet's new pod has to go to another node.
        await cordon(true);
        const oldUid = arranged.ready.uid;
        const deleted = await deleteAndWaitGone(
          client,
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: POSTGRES_POD, namespace } },
          { gracePeriodSeconds: 0, timeoutMs: 60_000 },
        );
        const deletedAt = performance.now();
        expect(deleted.existed).to.equal(true);
        log(`${POSTGRES_POD} on ${oldNode} force-deleted in ${deleted.goneAfterMs.toFixed(0)} ms`);
        const fresh = await waitForPostgresReady(client, namespace, {
          replacingUid: oldUid,
          timeoutMs: 300_000,
          progress: (l) => log(`rescheduling: ${l}`),
        });
        log(
          `new ${POSTGRES_POD} Ready on ${fresh.node} ${seconds(performance.now() - deletedAt)} after the delete`,
        );
        expect(fresh.node).to.not.equal(oldNode);
        const back = await waitFor(
          'the row, read through the same endpoint',
          () =>
            sql<{ note: string }>(endpoint, 'select note from pxchaos_it where id = $1', [written?.id]).catch(
              () => undefined,
            ),
          120_000,
          500,
        );
        log(
          `row read back through the same endpoint ${seconds(performance.now() - deletedAt)} after the delete`,
        );
        expect(back).to.deep.equal([{ note: marker }]);
        expect(await sut.primaryNode()).to.equal(fresh.node);
        const settled = await sut.settle(AbortSignal.timeout(60_000));
        expect(settled).to.deep.include({ healthy: true, primary: fresh.node });
        expect(await countAccountRows(client, postgresPod(namespace))).to.equal(expectedAccountRows(scale));
      } finally {
        await cordon(false).catch((err: unknown) => log(`uncordon: ${(err as Error).message}`));
      }
      // The watch saw the old pod go and the new one get Ready on the new node.
      const newNode = await sut.primaryNode();
      await waitFor('pod-ready on the new node in the watch', () =>
        events.some((e) => e.event === 'pod-ready' && e.node === newNode),
      );
      expect(events.some((e) => e.event === 'pod-deleted' && e.node === oldNode)).to.equal(true);
      // Kubernetes' own Events arrive too, with Kubernetes' timestamp: the scheduler placing the new pod.
      const scheduled = events.find((e) => e.event === 'k8s:Scheduled');
      expect(scheduled?.detail, 'k8s:Scheduled event').to.include(newNode);
      expect(Date.parse(scheduled?.at ?? '')).to.be.within(Date.now() - 600_000, Date.now() + 60_000);
      log(`watch: ${events.map((e) => `${e.event}@${e.node ?? '-'}`).join(', ')}`);
    } finally {
      watching.abort();
      await sut?.close();
    }

    // Other namespaces are not the harness's to delete…
    for (const other of ['pxchaos-storage', 'kube-system', 'default'])
      await deleteRunNamespace(client, other, { prefix: settings.namespacePrefix }).then(
        () => expect.fail(`deleteRunNamespace(${other}) did not refuse`),
        (err: unknown) => expect(err).to.be.instanceOf(NotARunNamespaceError),
      );
    // …and teardown deletes this run's namespace and nothing else.
    const torn = await deleteRunNamespace(client, arranged.namespace, {
      prefix: settings.namespacePrefix,
      runId: arranged.runId,
      progress: log,
    });
    expect(torn.existed).to.equal(true);
    const after = await namespaces();
    expect(after.has(arranged.namespace)).to.equal(false);
    before.delete(arranged.namespace);
    expect(after).to.deep.equal(before);
    log(
      `teardown: ${arranged.namespace} gone in ${seconds(torn.goneAfterMs)}; ${after.size} other namespaces untouched`,
    );
  });

  it('a pod that cannot get Ready fails the arrange with the events that explain it', async () => {
    const noSuchClass = { ...settings, storageClass: 'no-such-class' };
    let namespace = '';
    const err = await arrangePostgres(client, {
      settings: noSuchClass,
      readyTimeoutMs: 20_000,
      progress: (l) => {
        namespace ||= /applying Namespace (\S+),/.exec(l)?.[1] ?? '';
        log(l);
      },
    }).then(
      () => expect.fail('arranged without a StorageClass'),
      (e: unknown) => e,
    );
    if (namespace) namespacesToClean.push(namespace);
    expect(err).to.be.instanceOf(PodNotReadyError);
    const notReady = err as PodNotReadyError;
    log(notReady.message);
    expect(notReady.state).to.match(/claim data-postgres-0 Pending/);
    expect(notReady.events.join('\n')).to.match(/FailedScheduling|ProvisioningFailed/);
    expect(
      (await deleteRunNamespace(client, namespace, { prefix: settings.namespacePrefix })).existed,
    ).to.equal(true);
  });
});
