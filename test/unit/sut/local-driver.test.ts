import { expect } from 'chai';
import { driveModeOf, driveOfflineCommands } from '../../../lib/faults/sut-fault-plans.js';
import { LOCAL_DRIVER } from '../../../lib/sut/local/local-driver.js';
import { LOCAL_DISK } from '../../../lib/sut/local/local-node-commands.js';
import { localVolume, LOCAL_STORAGE_CLASS } from '../../../lib/sut/local/local-storage-objects.js';
import { localVolumeNode } from '../../../lib/sut/local/local-volume-node.js';
import { GLUSTER_DRIVER } from '../../../lib/sut/gluster/gluster-driver.js';
import { FAULT_SCENARIOS, type FaultTarget } from '../../../lib/scenario/fault-catalog.js';
import type { FaultKind } from '../../../lib/sut/expectations.js';
import type { ReplicaNodesRequest } from '../../../lib/sut/postgres-on-k8s/replica-nodes.js';

describe('local storage driver', () => {
  it('pins each volume to its node, on the driver’s own disk, in its static class', () => {
    const pv = localVolume('w2', '1Gi');
    expect(pv.spec?.local?.path).to.equal(LOCAL_DISK.volume);
    expect(pv.spec?.local?.path.startsWith(`${LOCAL_DISK.mount}/`), 'on the loop-backed disk').to.equal(true);
    expect(pv.spec?.storageClassName).to.equal(LOCAL_STORAGE_CLASS);
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]).to.deep.equal({
      key: 'kubernetes.io/hostname',
      operator: 'In',
      values: ['w2'],
    });
    expect(pv.spec?.persistentVolumeReclaimPolicy).to.equal('Retain');
  });

  it('names the volume’s node as the one holding its data, and says so when a volume is not its own', async () => {
    const request = (labels?: Record<string, string>): ReplicaNodesRequest =>
      ({
        volume: { metadata: { name: 'pv-x', ...(labels && { labels }) } },
      }) as unknown as ReplicaNodesRequest;
    expect(await localVolumeNode(request(localVolume('w3', '1Gi').metadata?.labels))).to.deep.equal([
      { name: 'w3', role: 'local volume' },
    ]);
    expect(await localVolumeNode(request()))
      .to.have.property('unknown')
      .that.match(/pv-x/);
  });

  it('its drive only hangs: hang by default, error refused with what to set', () => {
    const drive = LOCAL_DRIVER.drive();
    expect(driveModeOf(drive, undefined)).to.equal('hang');
    expect(driveOfflineCommands(drive, 'hang').inject).to.deep.equal(drive.hang);
    expect(() => driveModeOf(drive, 'error')).to.throw(/only hang.*driveMode.*hang/);
    expect(() => driveOfflineCommands(drive, 'error')).to.throw(/only hang/);
    // A drive that can fail keeps error as its default.
    expect(driveModeOf(GLUSTER_DRIVER.drive(), undefined)).to.equal('error');
  });

  it('is never force-deleted off its node, and has an expectation for every fault', () => {
    expect(LOCAL_DRIVER).to.not.have.property('forceDeleteStuckPodAfterMs');
    expect(Object.keys(LOCAL_DRIVER.expectations)).to.have.members([
      'network-partition',
      'agent-restart-within-grace',
      'agent-down-past-grace',
      'drive-offline',
    ]);
    for (const e of Object.values(LOCAL_DRIVER.expectations)) {
      expect(e.primaryMoves).to.equal(false);
      expect(e.source).to.match(/docs\/local-driver\.md/);
    }
  });

  it('heals when held for its time: service can only come back after the heal, so no wait for it first', () => {
    const healWhen = (kind: FaultKind, expectation = LOCAL_DRIVER.expectations[kind]): string =>
      FAULT_SCENARIOS[kind].healWhen({ expectation } as FaultTarget).description;
    expect(healWhen('network-partition')).to.equal('fault held 45000ms');
    expect(healWhen('agent-down-past-grace')).to.equal('fault held 50000ms');
    expect(healWhen('drive-offline')).to.equal('fault held 30000ms');
    // A replicated driver's partition waits for writes to come back while the fault holds.
    expect(healWhen('network-partition', GLUSTER_DRIVER.expectations['network-partition'])).to.match(
      /and writes recovered/,
    );
  });
});
