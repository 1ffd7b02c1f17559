import path from 'node:path';
import type { Command } from 'commander';
import { lingerOnTerminal, liveAddress, openLiveSession, type LiveFlags } from '../live/live-session.js';
import { readRecordedRun, replayRun, replaySpeed } from '../live/replay.js';
import { onInterrupt } from '../faults/signal-heal.js';

/** `pxchaos replay DIR`: a saved run played through the live page (no cluster, no Docker). */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('play a saved run (a report directory) through the live page: rehearsals, demos offline')
    .argument('<dir>', 'a report directory of `pxchaos run` (its *.result.json and timelines)')
    .option('--speed <n>', 'times faster than it happened (default 1)', '1')
    .option('--step', 'pause before each fault until Next on the page (or Enter)')
    .option('--live-port <port>', "the page's port (default: a free one)")
    .option('--live-host <address>', 'listen there instead of 127.0.0.1 (warns)')
    .action(async (dir: string, opts: { speed: string; step?: boolean } & LiveFlags) => {
      const speed = replaySpeed(opts.speed);
      const address = liveAddress({ ...opts, live: true });
      if (!address) throw new Error('replay: no live address');
      const run = await readRecordedRun(dir);
      const say = (line: string): void => void process.stderr.write(`pxchaos: ${line}\n`);
      const report = path.resolve(dir, 'report.html');
      const session = await openLiveSession(`replay of ${path.resolve(dir)}`, address, () => report, say);
      const stopped = new AbortController();
      const unhook = onInterrupt((reason) => {
        stopped.abort(new Error(`interrupted by ${reason}`));
        return session.server.close();
      });
      try {
        say(`open ${session.server.url} to start`);
        while (session.view.pageCount === 0 && !stopped.signal.aborted)
          await new Promise((resolve) => setTimeout(resolve, 100));
        await replayRun(session.view, run, { speed, step: opts.step === true, signal: stopped.signal, say });
        const failed = run.some((r) => r.stored.result.verdicts.some((v) => !v.passed));
        session.view.finish({ exitCode: failed ? 1 : 0, reportPath: report, reportUrl: '/report' });
        say('replay done');
      } finally {
        unhook();
      }
      await lingerOnTerminal(session, say);
    });
}
