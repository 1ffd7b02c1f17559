import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { compareRuns, loadRun, type Margins } from '../report/compare.js';
import { formatComparison } from '../report/compare-text.js';
import { formatComparisonHtml } from '../report/compare-html.js';
import { prepareOutputFile } from '../report/report-dir.js';
import { rerenderReports } from '../scenario/rerender-reports.js';
import { loadConfig } from '../pxchaos-config.js';

/** Where the command writes and how it reports its exit status; replaceable in tests. */
export interface ReportCommandIo {
  out(text: string): void;
  setExitCode(code: number): void;
}

const processIo: ReportCommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

interface CompareFlags {
  marginPercent?: string;
  marginMs?: string;
  marginCount?: string;
  config?: string;
  html?: string;
}

function nonNegative(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${flag}: expected a non-negative number, got '${value}'`);
  }
  return n;
}

/**
 * `pxchaos report compare BASELINE CURRENT` (the pre-upgrade diff: exit 1 on a regression past
 * the margins or a check flipping to fail, 0 otherwise, 2 on bad input) and
 * `pxchaos report render [DIR]` (regenerate junit.xml and report.html from saved results).
 */
export function registerReportCommand(program: Command, io: ReportCommandIo = processIo): Command {
  const report = program
    .command('report')
    .description('reports of past runs: compare two runs, re-render a run');

  report
    .command('compare')
    .description('compare two runs (report directories or junit.xml files); exit 1 when CURRENT regressed')
    .argument('<baseline>', 'report directory (or junit.xml) of the reference run, e.g. before an upgrade')
    .argument('<current>', 'report directory (or junit.xml) of the run to check')
    .option('--margin-percent <n>', 'relative margin: a metric must be worse by more than this percentage')
    .option('--margin-ms <n>', 'absolute margin for durations, in milliseconds')
    .option('--margin-count <n>', 'absolute margin for counts of failed/unknown writes')
    .option('--config <file>', 'configuration file (its compare section gives the default margins)')
    .option('--html <file>', 'also write the comparison as a self-contained HTML page')
    .action(async (baselinePath: string, currentPath: string, _opts: CompareFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<CompareFlags>();
      // A page that cannot be written fails now, not after reading both runs.
      if (flags.html !== undefined) await prepareOutputFile(flags.html, '--html');
      const config = await loadConfig(flags.config !== undefined ? { file: flags.config } : {});
      const margins: Margins = {
        percent: nonNegative('--margin-percent', flags.marginPercent) ?? config.compare.marginPercent,
        ms: nonNegative('--margin-ms', flags.marginMs) ?? config.compare.marginMs,
        count: nonNegative('--margin-count', flags.marginCount) ?? config.compare.marginCount,
      };
      const [baseline, current] = await Promise.all([loadRun(baselinePath), loadRun(currentPath)]);
      const comparison = compareRuns(baseline, current, margins);
      const labels = { baseline: baselinePath, current: currentPath };
      io.out(formatComparison(comparison, labels));
      if (flags.html !== undefined) {
        await writeFile(flags.html, formatComparisonHtml(comparison, labels));
        io.out(`html: ${flags.html}`);
      }
      io.setExitCode(comparison.regressions.length > 0 ? 1 : 0);
    });

  report
    .command('render')
    .description(
      "recompute every scenario's metrics and checks from its saved timeline, then rewrite result.json, junit.xml and report.html",
    )
    .argument('[dir]', 'report directory (default: reportDir from the configuration)')
    .option('--config <file>', 'configuration file')
    .action(async (dir: string | undefined, _opts: { config?: string }, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ config?: string }>();
      const target =
        dir ?? (await loadConfig(flags.config !== undefined ? { file: flags.config } : {})).reportDir;
      const written = await rerenderReports(target);
      if (written.results.length === 0)
        throw new UsageError(`no scenario results (*.result.json) in ${target}`);
      const kept = written.kept.map((k) => `kept as saved: ${k}\n`).join('');
      io.out(
        `${written.results.length} scenario(s), ${written.recomputed} recomputed from their timelines\n${kept}${written.junit}\n${written.html}`,
      );
      io.setExitCode(0);
    });

  return report;
}
