import type { V1Deployment } from '@kubernetes/client-node';
import { expect } from 'chai';
import { EnvironmentError } from '../../../lib/errors.js';
import { KubeApiError } from '../../../lib/k8s/kube-api-error.js';
import type { RecordedKubeApi } from '../../support/recorded-kube-api.js';
import {
  describePortworxDetection,
  detectPortworx,
  type PortworxDetection,
} from '../../../lib/sut/portworx/detect-portworx.js';
import { NO_STORK } from '../../../lib/sut/portworx/stork-config.js';
import { pxFixtureObjects } from '../../support/px-fixtures.js';
import {
  ALL_DEPLOYMENTS_PATH,
  DEPLOYMENT_PATH,
  deploymentList,
  Failure,
  pxKubeApi,
  recordedStorageClass,
  recordedStork,
  served,
  STORAGE_CLASS_PATH,
  WORKSHOP_DETECTED,
  WORKSHOP_SPEC,
} from '../../support/px-kube-api.js';

const SC = 'portworx-replicated';
const KATACODA_261 = 'daemonset-px-spec-oci-monitor-2.6.1-internal-kvdb-katacoda-troubleshooting.yaml';

/** Deployments that are not Stork, as a Portworx cluster has them: the recorded stork-scheduler (kube-scheduler). */
const notStork = (): V1Deployment[] => [
  served(
    pxFixtureObjects<V1Deployment>(WORKSHOP_SPEC, 'Deployment').find(
      (d) => d.metadata?.name === 'stork-scheduler',
    )!,
    'kube-system',
  ),
];

describe('detectPortworx (stand-in API server serving recorded Stork Deployments and StorageClasses)', () => {
  let api: RecordedKubeApi | undefined;
  afterEach(async () => {
    await api?.dispose();
    api = undefined;
  });

  const detect = async (
    routes: Record<string, unknown>,
    storageClass = SC,
  ): Promise<{ found: PortworxDetection; paths: string[] }> => {
    const s = await pxKubeApi(routes);
    api = s.api;
    const found = await detectPortworx(s.client, storageClass, AbortSignal.timeout(20_000));
    return { found, paths: s.paths() };
  };
  const failure = async (routes: Record<string, unknown>, storageClass = SC): Promise<Error> => {
    const err = await detect(routes, storageClass).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err, 'detectPortworx rejects').to.be.instanceOf(Error);
    return err!;
  };

  it("reads the workshop's Stork in kube-system (version, health monitor, interval) and its StorageClass's repl", async () => {
    const { found, paths } = await detect({
      [DEPLOYMENT_PATH('kube-system', 'stork')]: served(recordedStork(), 'kube-system'),
      [STORAGE_CLASS_PATH(SC)]: recordedStorageClass(),
    });
    expect(found.detected).to.deep.equal(WORKSHOP_DETECTED);
    expect(found.detected.pxdTimeoutS, 'read on the PX node: a later step').to.equal(undefined);
    expect(found.stork?.ref).to.equal('kube-system/stork');
    // Found where installs put it: one GET, no list across namespaces.
    expect(paths).to.deep.equal([
      `GET ${DEPLOYMENT_PATH('kube-system', 'stork')}`,
      `GET ${STORAGE_CLASS_PATH(SC)}`,
    ]);
    expect(describePortworxDetection(found)).to.equal(
      'Stork 2.4 at kube-system/stork (openstorage/stork:2.4.0, 3/3 ready; where installs put it), health monitor on every 120 s; StorageClass portworx-replicated (kubernetes.io/portworx-volume) repl "2" → repl 2; pxd_timeout not read: the default 600 s assumed',
    );
  });

  it('finds an Operator-style Stork in the portworx namespace, reading a non-default interval and a health monitor turned off', async () => {
    // The recorded katacoda 2.6.1 Deployment with its flags edited (no recording has other values).
    const stork = served(recordedStork(KATACODA_261), 'portworx', 0);
    const container = stork.spec!.template.spec!.containers.find((c) => c.name === 'stork')!;
    container.command = [
      ...(container.command ?? []).filter((w) => !w.startsWith('--health-monitor')),
      '--health-monitor=false',
      '--health-monitor-interval',
      '45',
    ];
    const { found, paths } = await detect({
      [DEPLOYMENT_PATH('portworx', 'stork')]: stork,
      [STORAGE_CLASS_PATH(SC)]: recordedStorageClass(),
    });
    expect(found.detected.stork).to.deep.equal({
      present: true,
      version: { major: 2, minor: 6, patch: 2 },
      healthMonitor: false,
      healthMonitorIntervalS: 45,
    });
    expect(paths.slice(0, 2)).to.deep.equal([
      `GET ${DEPLOYMENT_PATH('kube-system', 'stork')}`,
      `GET ${DEPLOYMENT_PATH('portworx', 'stork')}`,
    ]);
    expect(describePortworxDetection(found)).to.match(
      /^Stork 2\.6 at portworx\/stork \(openstorage\/stork:2\.6\.\d+, 0\/3 ready: not running; where installs put it\), health monitor off;/,
    );
  });

  it('finds Stork elsewhere by its container, across pages of every namespace’s Deployments, never the stork-scheduler', async () => {
    const elsewhere = served(recordedStork(), 'px-ops');
    const { found, paths } = await detect({
      [ALL_DEPLOYMENTS_PATH]: [deploymentList(notStork(), '1'), deploymentList([elsewhere])],
      [STORAGE_CLASS_PATH(SC)]: recordedStorageClass(),
    });
    expect(found.stork).to.include({ ref: 'px-ops/stork', how: 'listed across namespaces' });
    expect(found.detected.stork).to.include({ present: true, healthMonitor: true });
    expect(paths.filter((p) => p === `GET ${ALL_DEPLOYMENTS_PATH}`)).to.have.length(2);
  });

  it('no Stork anywhere is NO_STORK, not an error', async () => {
    const { found } = await detect({
      [ALL_DEPLOYMENTS_PATH]: deploymentList(notStork()),
      [STORAGE_CLASS_PATH(SC)]: recordedStorageClass(),
    });
    expect(found.detected.stork).to.deep.equal(NO_STORK);
    expect(found.stork).to.equal(undefined);
    expect(describePortworxDetection(found)).to.match(
      /^no Stork \(no Deployment stork in kube-system or portworx, none with a stork container elsewhere\); StorageClass portworx-replicated/,
    );
  });

  it('several Storks elsewhere: the one with ready pods, else an error naming them', async () => {
    const a = served(recordedStork(), 'team-a', 0);
    const b = served(recordedStork(), 'team-b', 3);
    const { found } = await detect({
      [ALL_DEPLOYMENTS_PATH]: deploymentList([a, b]),
      [STORAGE_CLASS_PATH(SC)]: recordedStorageClass(),
    });
    expect(found.stork?.ref).to.equal('team-b/stork');
    await api?.dispose();
    const err = await failure({
      [ALL_DEPLOYMENTS_PATH]: deploymentList([a, served(recordedStork(), 'team-b', 0)]),
      [STORAGE_CLASS_PATH(SC)]: recordedStorageClass(),
    });
    expect(err.message).to.equal(
      'could not tell which Stork acts on the pod: 2 Deployments run a stork container (team-a/stork 0 ready, team-b/stork 0 ready) and not exactly one has ready pods',
    );
  });

  it("a StorageClass without repl gives PX's default, 1, and says so", async () => {
    const withoutRepl = recordedStorageClass();
    withoutRepl.metadata = { ...withoutRepl.metadata, name: 'px-no-repl' };
    withoutRepl.parameters = { priority_io: 'high' };
    const { found } = await detect(
      {
        [DEPLOYMENT_PATH('kube-system', 'stork')]: served(recordedStork(), 'kube-system'),
        [STORAGE_CLASS_PATH('px-no-repl')]: withoutRepl,
      },
      'px-no-repl',
    );
    expect(found.detected.replicationFactor).to.equal(1);
    expect(describePortworxDetection(found)).to.include(
      "StorageClass px-no-repl (kubernetes.io/portworx-volume) no repl, so PX's default 1 → repl 1",
    );
  });

  it('a repl that is not a whole number is refused', async () => {
    const odd = recordedStorageClass();
    odd.parameters = { repl: 'two' };
    const err = await failure({ [STORAGE_CLASS_PATH(SC)]: odd, [ALL_DEPLOYMENTS_PATH]: deploymentList([]) });
    expect(err.message).to.equal(
      'could not read StorageClass portworx-replicated: repl "two" is not a whole number',
    );
  });

  it('a StorageClass that does not exist: an environment error naming it', async () => {
    const err = await failure(
      {
        [DEPLOYMENT_PATH('kube-system', 'stork')]: served(recordedStork(), 'kube-system'),
        // The recorded snapshot class exists, the one asked for does not.
        [STORAGE_CLASS_PATH('stork-snapshot-sc')]: recordedStorageClass('stork-snapshot-sc'),
      },
      'px-missing',
    );
    expect(err).to.be.instanceOf(EnvironmentError);
    expect(err.message).to.match(/^StorageClass px-missing not found in the cluster: /);
    expect((err.cause as Error).message).to.match(/^read StorageClass px-missing: HTTP 404 NotFound/);
  });

  it('an API error names the call that failed', async () => {
    const forbidden = await failure({
      [ALL_DEPLOYMENTS_PATH]: new Failure(
        403,
        'Forbidden',
        'deployments.apps is forbidden: User "tester" cannot list resource "deployments" in API group "apps" at the cluster scope',
      ),
      [STORAGE_CLASS_PATH(SC)]: recordedStorageClass(),
    });
    expect(forbidden).to.be.instanceOf(KubeApiError);
    expect(forbidden.message).to.equal(
      'list Deployments in all namespaces: HTTP 403 Forbidden: deployments.apps is forbidden: User "tester" cannot list resource "deployments" in API group "apps" at the cluster scope',
    );
    await api?.dispose();
    const broken = await failure({
      [DEPLOYMENT_PATH('kube-system', 'stork')]: new Failure(
        500,
        'InternalError',
        'etcdserver: request timed out',
      ),
    });
    expect(broken.message).to.equal(
      'read Deployment kube-system/stork: HTTP 500 InternalError: etcdserver: request timed out',
    );
  });
});
