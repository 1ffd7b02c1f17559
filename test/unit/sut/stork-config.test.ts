import type { V1Deployment } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  NO_STORK,
  readStorkConfig,
  storkVersion,
  type StorkConfig,
} from '../../../lib/sut/portworx/stork-config.js';
import { storkHealthMonitor } from '../../../lib/sut/portworx/stork-timings.js';
import { pxFixtureStorkDeployment, pxFixturesMatching } from '../../support/px-fixtures.js';

/** A Deployment with one container, as a cluster returns it. */
function deployment(container: {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
}): V1Deployment {
  return {
    metadata: { name: 'stork', namespace: 'kube-system' },
    spec: {
      selector: {},
      template: { spec: { containers: [{ name: container.name ?? 'stork', ...container }] } },
    },
  };
}

describe('readStorkConfig', () => {
  // Every recorded spec with a stork Deployment: its image and `--health-monitor-interval=120`.
  const RECORDED: Record<string, StorkConfig> = {
    'daemonset-portworx-workshop-loop0-internal-kvdb-px1.4.2.2-container.training-2018.yaml': {
      present: true,
      version: { major: 1, minor: 1, patch: 3 },
      healthMonitor: true,
      healthMonitorIntervalS: 120,
    },
    'daemonset-portworx-workshop-loop4-internal-kvdb-px2.5.1-container.training.yaml': {
      present: true,
      version: { major: 2, minor: 4, patch: 0 },
      healthMonitor: true,
      healthMonitorIntervalS: 120,
    },
    'daemonset-px-spec-oci-monitor-2.0.3.8-katacoda.yaml': {
      present: true,
      version: { major: 2, minor: 1, patch: 2 },
      healthMonitor: true,
      healthMonitorIntervalS: 120,
    },
    'daemonset-px-spec-oci-monitor-2.6.1-internal-kvdb-katacoda-troubleshooting.yaml': {
      present: true,
      version: { major: 2, minor: 6, patch: 2 },
      healthMonitor: true,
      healthMonitorIntervalS: 120,
    },
  };

  it('covers every recorded install spec', () => {
    expect(pxFixturesMatching(/^daemonset-.*\.yaml$/)).to.deep.equal(Object.keys(RECORDED).sort());
  });

  for (const [file, expected] of Object.entries(RECORDED)) {
    it(`reads the stork Deployment of ${file}`, () => {
      expect(readStorkConfig(pxFixtureStorkDeployment(file))).to.deep.equal(expected);
    });
  }

  it('reads no Stork from no Deployment', () => {
    expect(readStorkConfig(undefined)).to.deep.equal(NO_STORK);
    expect(NO_STORK.present).to.equal(false);
    expect(NO_STORK.healthMonitor).to.equal(false);
  });

  it('takes the defaults (on, 120 s) when the args name neither flag', () => {
    expect(
      readStorkConfig(deployment({ image: 'openstorage/stork:23.5.0', command: ['/stork', '--driver=pxd'] })),
    ).to.deep.equal({
      present: true,
      version: { major: 23, minor: 5, patch: 0 },
      healthMonitor: true,
      healthMonitorIntervalS: 120,
    });
  });

  it('reads --health-monitor=false and a non-default interval, from command or args', () => {
    const off = readStorkConfig(
      deployment({
        image: 'openstorage/stork:23.5.0',
        command: ['/stork'],
        args: ['--health-monitor=false', '--health-monitor-interval=45'],
      }),
    );
    expect(off).to.include({ healthMonitor: false, healthMonitorIntervalS: 45 });
    expect(readStorkConfig(deployment({ command: ['/stork', '-health-monitor=0'] })).healthMonitor).to.equal(
      false,
    );
    expect(readStorkConfig(deployment({ args: ['--health-monitor'] })).healthMonitor).to.equal(true);
    expect(
      readStorkConfig(deployment({ args: ['--health-monitor=true', '--health-monitor-interval', '300'] })),
    ).to.include({
      healthMonitor: true,
      healthMonitorIntervalS: 300,
    });
    // The last occurrence wins, as with Go's flag packages.
    expect(
      readStorkConfig(
        deployment({ command: ['/stork', '--health-monitor=false'], args: ['--health-monitor=true'] }),
      ).healthMonitor,
    ).to.equal(true);
  });

  it('refuses a flag value it cannot read rather than guess', () => {
    expect(() => readStorkConfig(deployment({ args: ['--health-monitor=maybe'] }))).to.throw(
      /--health-monitor=maybe, not a boolean/,
    );
    expect(() => readStorkConfig(deployment({ args: ['--health-monitor-interval=2m'] }))).to.throw(
      /not whole seconds/,
    );
  });

  it('finds the stork container by name or image, and says when there is none', () => {
    const d = deployment({ name: 'sidecar', image: 'busybox:1.36' });
    d.spec!.template.spec!.containers.push({
      name: 'main',
      image: 'registry:5000/openstorage/stork:2.12.1',
      args: ['--health-monitor=false'],
    });
    expect(readStorkConfig(d)).to.deep.equal({
      present: true,
      version: { major: 2, minor: 12, patch: 1 },
      healthMonitor: false,
      healthMonitorIntervalS: 120,
    });
    expect(() => readStorkConfig(deployment({ name: 'other', image: 'busybox:1.36' }))).to.throw(
      /no stork container/,
    );
  });
});

describe('storkVersion', () => {
  const CASES: [string | undefined, { major: number; minor: number; patch?: number } | undefined][] = [
    ['openstorage/stork:23.5.0', { major: 23, minor: 5, patch: 0 }],
    ['openstorage/stork:2.6.0', { major: 2, minor: 6, patch: 0 }],
    ['openstorage/stork:2.3.4', { major: 2, minor: 3, patch: 4 }],
    ['openstorage/stork:2.8.1.1', { major: 2, minor: 8, patch: 1 }],
    ['openstorage/stork:2.9', { major: 2, minor: 9 }],
    ['openstorage/stork:1.3.0-beta', { major: 1, minor: 3, patch: 0 }],
    ['docker.io/openstorage/stork:v24.3.2', { major: 24, minor: 3, patch: 2 }],
    ['registry.example:5000/openstorage/stork:23.11.0', { major: 23, minor: 11, patch: 0 }],
    ['openstorage/stork:23.5.0@sha256:0123abcd', { major: 23, minor: 5, patch: 0 }],
    ['openstorage/stork:latest', undefined],
    ['openstorage/stork', undefined],
    ['registry.example:5000/openstorage/stork', undefined],
    ['openstorage/stork@sha256:0123abcd', undefined],
    ['openstorage/stork:master-2024', undefined],
    [undefined, undefined],
  ];
  for (const [image, expected] of CASES) {
    it(`${image ?? '(no image)'} → ${expected ? `${expected.major}.${expected.minor}` : 'unknown'}`, () => {
      expect(storkVersion(image)).to.deep.equal(expected);
    });
  }
});

describe("Stork's health monitor as its flags make it (stork-timings.ts)", () => {
  const image = 'openstorage/stork:24.3.2';
  it('an interval below 30 s: Stork exits at start-up; 0: Stork’s 120 s; unchecked with the monitor off', () => {
    const low = storkHealthMonitor(
      readStorkConfig(deployment({ image, args: ['--health-monitor-interval=10'] })),
    );
    expect(low).to.include({ runs: false, deletes: false });
    expect(low.said).to.match(
      /^Stork 24\.3 exits at start-up: --health-monitor-interval=10 is below its minimum 30 s/,
    );
    const zero = storkHealthMonitor(
      readStorkConfig(deployment({ image, args: ['--health-monitor-interval', '0'] })),
    );
    expect(zero).to.include({ runs: true, deletes: true, intervalS: 120, batchS: 30 });
    expect(zero.backoffS).to.deep.equal({ least: 150, most: 150 });
    const off = storkHealthMonitor(
      readStorkConfig(
        deployment({ image, args: ['--health-monitor=false', '--health-monitor-interval=10'] }),
      ),
    );
    expect(off).to.include({ runs: true, deletes: false });
  });
});
