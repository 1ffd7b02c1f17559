import type { V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { PostgresK8sSettings } from '../../../lib/sut/postgres-on-k8s/postgres-k8s-settings.js';
import {
  postgresManifests,
  type PostgresManifest,
} from '../../../lib/sut/postgres-on-k8s/postgres-manifests.js';
import {
  postgresK8sSettings,
  TARGET_IMAGE_PLACEHOLDER,
  STORAGE_DRIVERS,
} from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { validateManifest } from '../../support/kubernetes-schema.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

const PASSWORD = 'correct-horse-battery-staple';
const run = { runId: 'a1b2c3d4', password: PASSWORD };

const settingsFor = (kube: unknown, driver: (typeof STORAGE_DRIVERS)[number]): PostgresK8sSettings =>
  postgresK8sSettings(configSchema.parse({ kube }).kube, driver);

/** Every variant the builders have: defaults, and every optional setting at once. */
const VARIANTS: [string, PostgresK8sSettings][] = STORAGE_DRIVERS.flatMap((driver) => [
  [`${driver}, defaults`, settingsFor({}, driver)],
  [
    `${driver}, every option`,
    {
      ...settingsFor(
        {
          image: 'registry.example/postgres:15.6',
          imagePullPolicy: 'Always',
          storageClass: 'fast',
          storageSize: '20Gi',
          schedulerName: 'stork',
          tolerationSeconds: '0s',
          nodeSelector: { 'kubernetes.io/os': 'linux', 'px/enabled': 'true' },
          nodePort: 30432,
          resources: { cpuRequest: '1', memoryRequest: '1Gi', cpuLimit: '2', memoryLimit: '2Gi' },
        },
        driver,
      ),
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'px/enabled', operator: 'NotIn', values: ['false'] }] },
            ],
          },
        },
      },
    },
  ],
]);

const ofKind = <T extends PostgresManifest>(objects: readonly PostgresManifest[], kind: string): T[] =>
  objects.filter((o) => o.kind === kind) as T[];

describe('Postgres on Kubernetes manifests', () => {
  for (const [name, settings] of VARIANTS) {
    describe(name, () => {
      const built = postgresManifests(settings, run);
      const sts = ofKind<V1StatefulSet>(built.objects, 'StatefulSet')[0]!;
      const pod = sts.spec!.template.spec!;
      const postgres = pod.containers.find((c) => c.name === 'postgres')!;

      it('every object validates against the Kubernetes schemas', () => {
        expect(built.objects.length).to.be.greaterThan(3);
        for (const o of built.objects) validateManifest(o);
      });

      it('puts everything but the namespace into the run namespace, namespace first', () => {
        expect(built.objects[0]?.kind).to.equal('Namespace');
        expect(built.objects[0]?.metadata?.name).to.equal(built.namespace);
        for (const o of built.objects.slice(1))
          expect(o.metadata?.namespace, o.kind).to.equal(built.namespace);
        expect(built.namespace)
          .to.include(run.runId)
          .and.match(new RegExp(`^${settings.namespacePrefix}-`));
      });

      it('one replica whose selector, template and services agree', () => {
        expect(sts.spec?.replicas).to.equal(1);
        const podLabels = sts.spec!.template.metadata!.labels!;
        for (const [k, v] of Object.entries(sts.spec!.selector.matchLabels!))
          expect(podLabels[k]).to.equal(v);
        const services = ofKind<V1Service>(built.objects, 'Service');
        const governing = services.find((s) => s.metadata?.name === sts.spec?.serviceName);
        expect(governing?.spec?.clusterIP, 'the governing service is headless').to.equal('None');
        const portNames = (postgres.ports ?? []).map((p) => p.name);
        for (const s of services) {
          for (const [k, v] of Object.entries(s.spec!.selector!))
            expect(podLabels[k], s.metadata?.name).to.equal(v);
          for (const p of s.spec!.ports!) {
            expect(p.port).to.equal(5432);
            expect(portNames).to.include(p.targetPort);
          }
        }
        const types = services.map((s) => s.spec?.type ?? 'ClusterIP');
        expect(types).to.include('ClusterIP');
        const nodePorts = services.filter((s) => s.spec?.type === 'NodePort');
        if (settings.nodePort === undefined) expect(nodePorts).to.have.length(0);
        else expect(nodePorts[0]?.spec?.ports?.[0]?.nodePort).to.equal(settings.nodePort);
      });

      it('takes the password from the Secret it ships, by reference only', () => {
        const secret = ofKind<V1Secret>(built.objects, 'Secret')[0]!;
        const ref = postgres.env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef;
        expect(ref?.name).to.equal(secret.metadata?.name);
        expect(secret.stringData?.[ref!.key]).to.equal(PASSWORD);
        expect(JSON.stringify(sts)).not.to.include(PASSWORD);
      });

      it('keeps PGDATA in a subdirectory of the volume, and clears lost+found first', () => {
        const claim = sts.spec!.volumeClaimTemplates![0]!;
        const mount = postgres.volumeMounts!.find((m) => m.name === claim.metadata?.name)!;
        const pgdata = postgres.env!.find((e) => e.name === 'PGDATA')!.value!;
        expect(pgdata.startsWith(`${mount.mountPath}/`)).to.equal(true);
        const init = pod.initContainers!.find((c) => c.volumeMounts?.some((m) => m.name === mount.name))!;
        expect(init.command?.join(' ')).to.include('lost+found');
        expect(init.command).to.include(mount.mountPath);
        expect(init.image).to.equal(postgres.image);
      });

      it('claims storage of the configured class and size', () => {
        const claim = sts.spec!.volumeClaimTemplates![0]!;
        expect(claim.spec?.storageClassName).to.equal(settings.storageClass);
        expect(claim.spec?.resources?.requests?.storage).to.equal(settings.storageSize);
        expect(claim.spec?.accessModes).to.deep.equal(['ReadWriteOnce']);
      });

      it('tolerates a NotReady or unreachable node for the configured time, then is evicted', () => {
        for (const taint of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
          const t = pod.tolerations?.find((x) => x.key === taint);
          expect(t?.effect, taint).to.equal('NoExecute');
          expect(t?.tolerationSeconds, taint).to.equal(settings.tolerationMs / 1000);
        }
      });

      it('is ready when pg_isready says so', () => {
        expect(postgres.readinessProbe?.exec?.command?.[0]).to.equal('pg_isready');
      });

      it('carries the configured image, scheduler, resources and placement', () => {
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
          expect(c.image).to.equal(settings.image);
          expect(c.imagePullPolicy).to.equal(settings.imagePullPolicy);
        }
        expect(pod.schedulerName).to.equal(settings.schedulerName);
        expect(postgres.resources).to.deep.equal(settings.resources);
        expect(pod.nodeSelector).to.deep.equal(settings.nodeSelector);
        expect(pod.affinity).to.deep.equal(settings.affinity);
      });
    });
  }

  it('portworx defaults to stork and its StorageClass, gluster to the kube lab image', () => {
    const px = settingsFor({}, 'portworx');
    expect(px.schedulerName).to.equal('stork');
    expect(px.storageClass).to.equal('portworx-replicated');
    const gluster = settingsFor({}, 'gluster');
    expect(gluster.storageClass).to.equal('gluster-replicated');
    expect(gluster.image, 'the image the kube lab builds').to.equal(TARGET_IMAGE_PLACEHOLDER);
    expect(gluster.imagePullPolicy, 'the kube lab has no registry').to.equal('Never');
  });

  it('refuses a run id that would make an invalid namespace name', () => {
    for (const runId of ['UPPER', 'a_b', '', 'x'.repeat(40)])
      expect(() => postgresManifests(settingsFor({}, 'gluster'), { runId, password: 'p' }), runId).to.throw(
        /run id/,
      );
  });
});

describe('the manifest validator', () => {
  const good = (): PostgresManifest[] => [...postgresManifests(settingsFor({}, 'gluster'), run).objects];
  const statefulSet = (objects: PostgresManifest[]) => ofKind<V1StatefulSet>(objects, 'StatefulSet')[0]!;

  it('catches a schema violation: wrong type, missing required field', () => {
    const broken = structuredClone(statefulSet(good())) as unknown as { spec: Record<string, unknown> };
    broken.spec.replicas = 'one';
    delete broken.spec.selector;
    expect(() => validateManifest(broken)).to.throw(/replicas must be integer|selector/);
  });

  it('catches a field the API does not know (a typo the schema alone lets through)', () => {
    const broken = structuredClone(statefulSet(good())) as unknown as {
      spec: { template: { spec: Record<string, unknown> } };
    };
    broken.spec.template.spec.tolerationz = broken.spec.template.spec.tolerations;
    expect(() => validateManifest(broken)).to.throw(
      /unknown to the Kubernetes API: spec\.template\.spec\.tolerationz/,
    );
  });

  it('catches an invalid name and an unknown kind', () => {
    const ns = structuredClone(good()[0]!);
    ns.metadata = { ...ns.metadata, name: 'Not_A_Name' };
    expect(() => validateManifest(ns)).to.throw(/DNS-1123/);
    expect(() => validateManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).to.throw(
      /no schema/,
    );
  });
});
