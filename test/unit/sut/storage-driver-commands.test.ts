import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { timerStartArgv } from '../../../lib/faults/auto-revert-timer.js';
import {
  STORAGE_DRIVER_PROFILES,
  STORAGE_DRIVERS,
} from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { PX_AGENT_STOP_METHODS } from '../../../lib/sut/portworx/portworx-agent-stop.js';
import { portworxScsiDriveCommands } from '../../../lib/sut/portworx/portworx-node-commands.js';
import type { AgentCommands, DriveCommands } from '../../../lib/sut/sut.js';
import { configSchema, type PxchaosConfig } from '../../../lib/pxchaos-config.js';
import { driveErrorArgv } from '../../support/drive-error.js';

/** Every agent-stop method's commands (only portworx has several), with what they are called. */
function agentsOf(driver: (typeof STORAGE_DRIVERS)[number]): [string, AgentCommands][] {
  return PX_AGENT_STOP_METHODS.map((m): [string, AgentCommands] => [
    `agentStop ${m}`,
    STORAGE_DRIVER_PROFILES[driver].agent('worker-1', configSchema.parse({ portworx: { agentStop: m } })),
  ]);
}

/** The drive commands of every drive setting (portworx: the dm layer, or a real SCSI disk). */
function drivesOf(driver: (typeof STORAGE_DRIVERS)[number]): [string, DriveCommands][] {
  return [
    ['dm layer', configSchema.parse({})],
    ['scsiDrive sdb', configSchema.parse({ portworx: { scsiDrive: 'sdb' } })],
  ].map(([name, config]): [string, DriveCommands] => [
    name as string,
    STORAGE_DRIVER_PROFILES[driver].drive('worker-1', config as PxchaosConfig),
  ]);
}

/** `sh -n`: the shell parses the script without running anything. */
function shellParses(script: string): void {
  execFileSync('sh', ['-n', '-c', script], { stdio: 'pipe' });
}

function commandsOf(driver: (typeof STORAGE_DRIVERS)[number]): [string, readonly string[]][] {
  const p = STORAGE_DRIVER_PROFILES[driver];
  return [
    ...agentsOf(driver).flatMap(([m, a]) =>
      Object.entries({ ...a, ...(a.holdDown && { holdKill: a.holdDown.kill, holdStart: a.holdDown.start }) })
        .filter(([k]) => k !== 'holdDown' && k !== 'staysDown')
        .map(([k, v]): [string, readonly string[]] => [`${m} agent.${k}`, v as readonly string[]]),
    ),
    ...drivesOf(driver).flatMap(([d, drive]) =>
      Object.entries(drive).map(([k, v]): [string, readonly string[]] => [
        `${d} drive.${k}`,
        v as readonly string[],
      ]),
    ),
    ...(p.storageCheck ? [['storageCheck', p.storageCheck] as [string, readonly string[]]] : []),
  ];
}

describe('storage driver node commands', () => {
  for (const driver of STORAGE_DRIVERS) {
    it(`${driver}: every command is an argv of non-empty strings whose shell scripts parse`, () => {
      for (const [name, argv] of commandsOf(driver)) {
        expect(argv.length, name).to.be.greaterThan(0);
        for (const a of argv) expect(a, name).to.be.a('string').and.not.equal('');
        if (argv[0] === 'sh' && argv[1] === '-c') shellParses(argv[2]!);
      }
    });

    it(`${driver}: the restores still parse once wrapped in the auto-revert timer`, () => {
      const agentStarts = agentsOf(driver).flatMap(([, a]) => [
        a.start,
        ...(a.holdDown ? [a.holdDown.start] : []),
      ]);
      for (const revert of [...agentStarts, ...drivesOf(driver).map(([, d]) => d.restore)]) {
        const timer = timerStartArgv('pxchaos-timer-x', 60_000, revert);
        shellParses(timer[2]!);
        shellParses(timer[4]!);
      }
    });

    it(`${driver}: faults and their undoing are different commands`, () => {
      for (const [m, a] of agentsOf(driver)) expect(a.kill, m).not.to.deep.equal(a.start);
      for (const [d, drive] of drivesOf(driver)) {
        expect(drive.error, d).not.to.deep.equal(drive.restore);
        expect(drive.hang, d).not.to.deep.equal(drive.restore);
        expect(drive.hang, d).not.to.deep.equal(drive.error);
      }
    });
  }
});

describe('portworx drive-offline on a real SCSI disk (portworx.scsiDrive)', () => {
  // Run for real, on a device name no machine has: what a node without the disk does.
  const drive = portworxScsiDriveCommands('pxchaosnodisk0');
  const run = (argv: readonly string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });

  it('refuses to hang a SCSI disk, naming the mode to use', () => {
    const r = run(drive.hang);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('a SCSI disk cannot be made to hang').and.contain('driveMode error');
  });

  it('refuses on a node without the disk, naming the sysfs file, and touches nothing', () => {
    const r = run(driveErrorArgv(drive));
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('/sys/block/pxchaosnodisk0/device/state');
  });

  it('a node without the disk has nothing to restore and nothing offline (leftover check)', () => {
    expect(run(drive.restore).status).to.equal(0);
    expect(run(drive.status).status).to.equal(0);
  });

  it('the profile takes it from the config, and the config refuses a path for a name', () => {
    const config = configSchema.parse({ portworx: { scsiDrive: 'sdb' } });
    expect(STORAGE_DRIVER_PROFILES.portworx.drive('worker-1', config).error?.join(' ')).to.contain('sdb');
    expect(() => configSchema.parse({ portworx: { scsiDrive: '/dev/sdb' } })).to.throw(
      /kernel name like sdb/,
    );
  });
});
