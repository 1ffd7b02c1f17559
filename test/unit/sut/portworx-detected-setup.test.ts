import { expect } from 'chai';
import type { FaultKind } from '../../../lib/sut/expectations.js';
import { GLUSTER_EXPECTATIONS } from '../../../lib/sut/gluster/gluster-expectations.js';
import {
  postgresK8sSettings,
  STORAGE_DRIVER_PROFILES,
} from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import type { PortworxDetection } from '../../../lib/sut/portworx/detect-portworx.js';
import {
  PX_DOWN_EVENTS,
  PX_UP_EVENTS,
  portworxSetup,
} from '../../../lib/sut/portworx/portworx-detected-setup.js';
import {
  portworxExpectations,
  portworxRecovery,
  type PortworxDetected,
} from '../../../lib/sut/portworx/portworx-expectations.js';
import { NO_STORK, type StorkConfig } from '../../../lib/sut/portworx/stork-config.js';
import type { RecordedKubeApi } from '../../support/recorded-kube-api.js';
import {
  DEPLOYMENT_PATH,
  pxKubeApi,
  recordedStorageClass,
  recordedStork,
  served,
  STORAGE_CLASS_PATH,
  WORKSHOP_DETECTED,
} from '../../support/px-kube-api.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

const STORK_23_5: StorkConfig = {
  present: true,
  version: { major: 23, minor: 5 },
  healthMonitor: true,
  healthMonitorIntervalS: 120,
};

/** A detection as detectPortworx returns it, for a given Stork and repl. */
const detection = (stork: StorkConfig, replicationFactor = 2): PortworxDetection => ({
  detected: { stork, replicationFactor },
  ...(stork.present && {
    stork: {
      deployment: served(recordedStork(), 'kube-system'),
      ref: 'kube-system/stork',
      how: 'where installs put it' as const,
    },
  }),
  storageClass: {
    name: 'portworx-replicated',
    provisioner: 'kubernetes.io/portworx-volume',
    replicationFactor,
    said: `repl "${replicationFactor}"`,
  },
});

/** portworxExpectations for `d`: every fault is runnable now (the harness's delete after pxd_timeout is in the run path). */
const runnable = (d: PortworxDetected): Record<string, unknown> => ({ ...portworxExpectations(d) });

describe('the storage-driver seam: detection in the profile', () => {
  it('gluster has no hook (its kube lab is always set up alike), portworx has one', () => {
    expect(STORAGE_DRIVER_PROFILES.gluster.detect).to.equal(undefined);
    expect(STORAGE_DRIVER_PROFILES.gluster.expectations).to.equal(GLUSTER_EXPECTATIONS);
    expect(STORAGE_DRIVER_PROFILES.portworx.detect).to.be.a('function');
  });

  describe("portworx's hook on a stand-in API server serving the recorded workshop Stork and StorageClass", () => {
    let api: RecordedKubeApi | undefined;
    after(async () => api?.dispose());

    it('yields portworxExpectations of what it detected, Stork as scheduler and no harness force delete', async () => {
      const s = await pxKubeApi({
        [DEPLOYMENT_PATH('kube-system', 'stork')]: served(recordedStork(), 'kube-system'),
        [STORAGE_CLASS_PATH('portworx-replicated')]: recordedStorageClass(),
      });
      api = s.api;
      const settings = postgresK8sSettings(configSchema.parse({}).kube, 'portworx');
      const setup = await STORAGE_DRIVER_PROFILES.portworx.detect!(s.client, settings);
      expect(setup.expectations).to.deep.equal(runnable(WORKSHOP_DETECTED));
      expect(Object.keys(setup.expectations).sort()).to.deep.equal([
        'agent-down-past-grace',
        'agent-restart-within-grace',
        'drive-offline',
        'network-partition',
      ]);
      expect(setup.schedulerName).to.equal('stork');
      expect(setup.forceDeleteStuckPodAfterMs).to.equal(undefined);
      expect(setup.storageDownRemedy, 'Stork moves the pod').to.equal(undefined);
      expect(setup.summary).to.match(
        /^portworx: Stork 2\.4 at kube-system\/stork .* → Stork moves the pod off a failed node, scheduler stork; expectations from portworx\.md/,
      );
    });
  });

  describe('portworxSetup', () => {
    it('Stork 23.5 with its health monitor, repl 2: every expectation portworxExpectations gives', () => {
      const setup = portworxSetup(detection(STORK_23_5));
      const all = portworxExpectations(detection(STORK_23_5).detected);
      for (const kind of [
        'agent-restart-within-grace',
        'agent-down-past-grace',
        'network-partition',
        'drive-offline',
      ] as FaultKind[])
        expect(setup.expectations[kind], kind).to.deep.equal(all[kind]);
      expect(setup.summary).to.include(
        'agent-restart-within-grace hold 30.0s, recovery ≤ 1m30s; network-partition hold 5m30s, recovery ≤ 6m30s; agent-down-past-grace hold 5m30s, recovery ≤ 6m30s; drive-offline hold',
      );
      expect(setup.summary).not.to.include('not run yet');
    });

    it('no Stork: default scheduler, the harness force-deletes after 30 s NotReady and deletes the pod pxd_timeout + 30 s after PX is seen offline', () => {
      const setup = portworxSetup(detection(NO_STORK));
      expect(setup.schedulerName).to.equal('default-scheduler');
      expect(setup.forceDeleteStuckPodAfterMs).to.equal(30_000);
      expect(Object.keys(setup.expectations).sort()).to.deep.equal([
        'agent-down-past-grace',
        'agent-restart-within-grace',
        'drive-offline',
        'network-partition',
      ]);
      const recovery = portworxRecovery(detection(NO_STORK).detected);
      expect(setup.storageDownRemedy).to.deep.include({
        downEvents: PX_DOWN_EVENTS,
        upEvents: PX_UP_EVENTS,
        afterMs: recovery.deletePodAfterAgentDownMs,
      });
      expect(setup.storageDownRemedy!.why).to.include('"delete the pod"');
      expect(setup.expectations['agent-down-past-grace']).to.deep.equal(
        portworxExpectations(detection(NO_STORK).detected)['agent-down-past-grace'],
      );
      expect(setup.expectations['network-partition']).to.deep.equal(
        portworxExpectations(detection(NO_STORK).detected)['network-partition'],
      );
      expect(setup.summary).to.match(
        /^portworx: no Stork .* → the harness moves the pod \(force delete after 30\.0s NotReady, delete 10m30s after PX is seen offline\), scheduler default-scheduler;/,
      );
      expect(setup.summary).to.include('delete 10m30s after PX is seen offline');
      expect(setup.summary).not.to.include('not run yet');
    });

    it('Stork before v2.3.4 (the 2018 workshop spec): the restart within grace said not run, with why', () => {
      const old: StorkConfig = { ...STORK_23_5, version: { major: 1, minor: 1, patch: 3 } };
      const setup = portworxSetup(detection(old));
      expect(Object.keys(setup.expectations)).to.not.include('agent-restart-within-grace');
      expect(setup.summary).to.match(
        /not run: agent-restart-within-grace \(Stork 1\.1 health monitor every 120 s .*no backoff \(before stork v2\.3\.4/,
      );
    });

    it('repl 1: only the restart within grace, the others said not run with the reason', () => {
      const setup = portworxSetup(detection(STORK_23_5, 1));
      expect(Object.keys(setup.expectations)).to.deep.equal(['agent-restart-within-grace']);
      expect(setup.summary).to.include(
        'not run: network-partition, agent-down-past-grace, drive-offline (repl 1: the only replica is on the faulted node)',
      );
      expect(setup.summary).not.to.include('not run yet');
    });
  });
});
