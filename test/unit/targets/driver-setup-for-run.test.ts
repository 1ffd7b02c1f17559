import { expect } from 'chai';
import type { KubeClient } from '../../../lib/k8s/kube-client.js';
import type { DetectedDriverSetup } from '../../../lib/sut/postgres-on-k8s/detected-driver-setup.js';
import {
  postgresK8sSettings,
  STORAGE_DRIVER_PROFILES,
  type DriverConfig,
  type StorageDriver,
  type StorageDriverProfile,
} from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { portworxSetup } from '../../../lib/sut/portworx/portworx-detected-setup.js';
import { NO_STORK } from '../../../lib/sut/portworx/stork-config.js';
import { driverSetupForRun } from '../../../lib/targets/driver-setup-for-run.js';
import { configSchema, type PxchaosConfig } from '../../../lib/pxchaos-config.js';

const config = (raw: object = {}): PxchaosConfig => configSchema.parse(raw);
type Profile = StorageDriverProfile<StorageDriver, DriverConfig>;
/** The stub hooks below never call the API. */
const NO_CLIENT = {} as KubeClient;

/** The portworx profile with its hook answering `setup` (what it would detect), recording its calls. */
function portworxDetecting(setup: DetectedDriverSetup): {
  profile: Profile;
  storageClasses: string[];
} {
  const storageClasses: string[] = [];
  return {
    storageClasses,
    profile: {
      ...STORAGE_DRIVER_PROFILES.portworx,
      detect: (_client, settings) => {
        storageClasses.push(settings.storageClass);
        return Promise.resolve(setup);
      },
    },
  };
}

const NO_STORK_SETUP = portworxSetup({
  detected: { stork: NO_STORK, replicationFactor: 2 },
  storageClass: { name: 'fast', provisioner: 'pxd.portworx.com', replicationFactor: 2, said: 'repl "2"' },
});

async function setupFor(c: PxchaosConfig, profile: Profile) {
  const lines: string[] = [];
  const settings = postgresK8sSettings(c.kube, profile.name);
  const setup = await driverSetupForRun(c, profile, settings, NO_CLIENT, (l) => lines.push(l));
  return { setup, lines };
}

describe('driverSetupForRun: the profile detects, the config wins', () => {
  it('gluster (no hook): its static expectations, 30 s force delete, no detection line', async () => {
    const { setup, lines } = await setupFor(config(), STORAGE_DRIVER_PROFILES.gluster);
    expect(setup.expectations).to.deep.equal(STORAGE_DRIVER_PROFILES.gluster.expectations);
    expect(setup.forceDeleteStuckPodAfterMs).to.equal(30_000);
    expect(setup.settings.schedulerName).to.equal(undefined);
    expect(lines).to.deep.equal([]);
  });

  it('portworx without Stork: the detected scheduler, force delete and expectations, said in one line', async () => {
    const { profile, storageClasses } = portworxDetecting(NO_STORK_SETUP);
    const { setup, lines } = await setupFor(config({ kube: { storageClass: 'fast' } }), profile);
    expect(storageClasses).to.deep.equal(['fast']);
    // The profile's static 'stork' (what a plan shows) gives way to what was detected.
    expect(setup.settings.schedulerName).to.equal('default-scheduler');
    expect(setup.forceDeleteStuckPodAfterMs).to.equal(30_000);
    expect(setup.expectations).to.deep.equal(NO_STORK_SETUP.expectations);
    expect(lines).to.deep.equal([NO_STORK_SETUP.summary]);
  });

  it('a detected setup without a force delete (Stork moves the pod) keeps none', async () => {
    const { profile } = portworxDetecting({ ...NO_STORK_SETUP, forceDeleteStuckPodAfterMs: undefined });
    const withStatic = { ...profile, forceDeleteStuckPodAfterMs: 45_000 };
    const { setup } = await setupFor(config(), withStatic);
    expect(setup.forceDeleteStuckPodAfterMs).to.equal(undefined);
  });

  it("the config's scheduler, force delete and thresholds win over what was detected, and the line says so", async () => {
    const { profile } = portworxDetecting(NO_STORK_SETUP);
    const { setup, lines } = await setupFor(
      config({
        kube: { schedulerName: 'stork', forceDeleteStuckPodAfter: '90s' },
        scenarios: { 'network-partition': { hold: '20s', thresholds: { recoveryWithin: '3m' } } },
      }),
      profile,
    );
    expect(setup.settings.schedulerName).to.equal('stork');
    expect(setup.forceDeleteStuckPodAfterMs).to.equal(90_000);
    expect(setup.expectations['network-partition']).to.include({ holdMs: 20_000, recoveryWithinMs: 180_000 });
    expect(setup.expectations['network-partition']?.source).to.match(
      /overridden by config: hold=20\.0s, recoveryWithin=3m00s$/,
    );
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(
      /\(configured, so kept: kube\.schedulerName stork, kube\.forceDeleteStuckPodAfter 1m30s\)$/,
    );
  });
});
