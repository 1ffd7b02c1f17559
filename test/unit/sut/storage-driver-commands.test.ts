import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { configSchema, STORAGE_DRIVERS } from '../../../lib/config/config-schema.js';
import { timerStartArgv } from '../../../lib/faults/auto-revert-timer.js';
import { STORAGE_DRIVER_PROFILES } from '../../../lib/sut/postgres-on-k8s/storage-drivers.js';
import { PX_AGENT_STOP_METHODS } from '../../../lib/sut/portworx/portworx-agent-stop.js';
import type { AgentCommands } from '../../../lib/sut/sut.js';

/** Every agent-stop method's commands (only portworx has several), with what they are called. */
function agentsOf(driver: (typeof STORAGE_DRIVERS)[number]): [string, AgentCommands][] {
  return PX_AGENT_STOP_METHODS.map((m): [string, AgentCommands] => [
    `agentStop ${m}`,
    STORAGE_DRIVER_PROFILES[driver].agent('worker-1', configSchema.parse({ portworx: { agentStop: m } })),
  ]);
}

/** `sh -n`: the shell parses the script without running anything. */
function shellParses(script: string): void {
  execFileSync('sh', ['-n', '-c', script], { stdio: 'pipe' });
}

function commandsOf(driver: (typeof STORAGE_DRIVERS)[number]): [string, readonly string[]][] {
  const p = STORAGE_DRIVER_PROFILES[driver];
  const drive = p.drive('worker-1');
  return [
    ...agentsOf(driver).flatMap(([m, a]) =>
      Object.entries({ ...a, ...(a.holdDown && { holdKill: a.holdDown.kill, holdStart: a.holdDown.start }) })
        .filter(([k]) => k !== 'holdDown')
        .map(([k, v]): [string, readonly string[]] => [`${m} agent.${k}`, v as readonly string[]]),
    ),
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
      const agentStarts = agentsOf(driver).flatMap(([, a]) => [
        a.start,
        ...(a.holdDown ? [a.holdDown.start] : []),
      ]);
      for (const revert of [...agentStarts, p.drive('worker-1').restore]) {
        const timer = timerStartArgv('pxchaos-timer-x', 60_000, revert);
        shellParses(timer[2]!);
        shellParses(timer[4]!);
      }
    });

    it(`${driver}: faults and their undoing are different commands`, () => {
      const p = STORAGE_DRIVER_PROFILES[driver];
      const drive = p.drive('worker-1');
      for (const [m, a] of agentsOf(driver)) expect(a.kill, m).not.to.deep.equal(a.start);
      expect(drive.error).not.to.deep.equal(drive.restore);
      expect(drive.hang).not.to.deep.equal(drive.restore);
      expect(drive.hang).not.to.deep.equal(drive.error);
    });
  }
});
