import type { Command } from 'commander';
import type { LiveFlags } from '../live/live-session.js';
import { runSuite } from '../scenario/run-suite.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `pxchaos run`: the scenarios against a target, with JUnit + HTML reports. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run scenarios against a target; writes junit.xml, report.html and timelines')
    .option('--target <target>', 'lab | kind | vm | kube (default: the config, else lab)')
    .option('--scenario <name>', 'a scenario to run; repeat for several (default: all)', collect, [])
    .option('--config <file>', 'configuration file (default: pxchaos.yaml when present)')
    .option('--report-dir <dir>', 'where reports are written (default: reports)')
    .option(
      '--placement <where>',
      'where each fault goes: primary | replica | bystander | all (each scenario once per placement; default: the config, else primary)',
    )
    .option(
      '--repeat <n>',
      'run each scenario (and placement) n times on the one arrangement; report compare judges the spread (default: the config, else 1)',
    )
    .option('--step', 'pause before each action with a one-line explanation (workshop demos)')
    .option('--live', 'show the run as it happens on a local web page (its address is printed)')
    .option('--live-port <port>', "the live page's port (default: a free one; implies --live)")
    .option('--live-host <address>', 'listen there instead of 127.0.0.1 (warns; implies --live)')
    .action(
      async (
        opts: {
          target?: string;
          scenario: string[];
          config?: string;
          reportDir?: string;
          step?: boolean;
          placement?: string;
          repeat?: string;
        } & LiveFlags,
      ) => {
        process.exitCode = await runSuite({
          scenarios: opts.scenario,
          ...(opts.target && { target: opts.target }),
          ...(opts.config && { config: opts.config }),
          ...(opts.reportDir && { reportDir: opts.reportDir }),
          ...(opts.step && { step: true }),
          ...(opts.placement !== undefined && { placement: opts.placement }),
          ...(opts.repeat !== undefined && { repeat: opts.repeat }),
          live: opts,
        });
      },
    );
}
