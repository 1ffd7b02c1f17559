import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { STORAGE_DRIVERS } from '../../../lib/config/config-schema.js';
import { timerStartArgv } from '../../../lib/faults/auto-revert-timer.js';
import { STORAGE_DRIVER_PROFILES } from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';

/** `sh -n`: the shell parses the script without running anything. */
function shellParses(script: string): void {
  execFileSync('sh', ['-n', '-c', script], { stdio: 'pipe' });
}

function commandsOf(driver: (typeof STORAGE_DRIVERS)[number]): [string, readonly string[]][] {
  const p = STORAGE_DRIVER_PROFILES[driver];
  const drive = p.drive('worker-1');
  return [
    ...Object.entries(p.agent).map(([k, v]): [string, readonly string[]] => [
      `agent.${k}`,
      v as readonly string[],
    ]),
    ...Object.entries(drive).map(([k, v]): [string, readonly string[]] => [
      `drive.${k}`,
      v as readonly string[],
    ]),
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
      const p = STORAGE_DRIVER_PROFILES[driver];
      for (const revert of [p.agent.start, p.drive('worker-1').restore]) {
        const timer = timerStartArgv('pxchaos-timer-x', 60_000, revert);
        shellParses(timer[2]!);
        shellParses(timer[4]!);
      }
    });

    it(`${driver}: faults and their undoing are different commands`, () => {
      const p = STORAGE_DRIVER_PROFILES[driver];
      const drive = p.drive('worker-1');
      expect(p.agent.kill).not.to.deep.equal(p.agent.start);
      expect(drive.error).not.to.deep.equal(drive.restore);
      expect(drive.hang).not.to.deep.equal(drive.restore);
      expect(drive.hang).not.to.deep.equal(drive.error);
    });
  }
});
