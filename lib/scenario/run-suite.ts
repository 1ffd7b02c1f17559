import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { REPEAT_MAX, SCENARIO_NAMES, type ScenarioName } from '../config/config-schema.js';
import { UsageError } from '../errors.js';
import { RESULT_SUFFIX, TIMELINE_SUFFIX } from '../report/read-results.js';
import { prepareReportDir } from '../report/report-dir.js';
import { resultTitle } from '../report/repetitions.js';
import { writeReports, type WrittenReports } from '../report/write-reports.js';
import { onInterrupt } from '../faults/signal-heal.js';
import { liveAddress, lingerOnTerminal, openLiveSession, type LiveFlags } from '../live/live-session.js';
import { acquireRunLock } from './run-lock.js';
import { takeClusterRunLease } from './cluster-run-lease.js';
import type { RunLease } from '../k8s/run-lease.js';
import { beginRunSettings, endRunSettings } from './run-settings.js';
import { targetFor } from '../targets/targets.js';
import {
  beginTargetSession,
  endTargetSession,
  OPEN_TIMEOUT_MS,
  openSessionTarget,
} from './target-session.js';
import { healDeadRunsFaults } from './heal-dead-runs.js';
import { Progress } from './progress.js';
import { runReportFiles, saveJudged } from './scenario-files.js';
import { Timeline } from '../observe/timeline.js';
import { formatDuration } from '../time/duration.js';
import { expandPlacement, PLACEMENT_CHOICES } from '../sut/placement.js';
import { loadConfig, type PxchaosConfig } from '../pxchaos-config.js';

export interface RunSuiteOptions {
  readonly target?: string;
  readonly scenarios?: readonly string[];
  readonly config?: string;
  readonly reportDir?: string;
  readonly step?: boolean;
  /** primary | replica | bystander | all (default: the config's `placement`, else primary). */
  readonly placement?: string;
  /** `--repeat N`: each scenario and placement N times (default: the config's `repeat`, else 1). */
  readonly repeat?: string;
  /** `--live`: the run shown on a local web page as it happens. */
  readonly live?: LiveFlags;
}

/** `--repeat`'s value as a count, or one line saying what it wants (exit 2). */
function repeatCount(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= REPEAT_MAX))
    throw new UsageError(`--repeat: expected a whole number from 1 to ${REPEAT_MAX}, got '${text}'`);
  return n;
}

const SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/**
 * `pxchaos run`: validates the input, runs the chosen scenario specs with mocha in this process,
 * then writes junit.xml and report.html from the scenarios' saved results. Resolves to the exit
 * code: 0 all passed, 1 a scenario failed (bad input and a missing environment throw: 2 and 3).
 */
export async function runSuite(options: RunSuiteOptions): Promise<number> {
  const unknown = (options.scenarios ?? []).filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`unknown scenario ${unknown.join(', ')}; expected: ${SCENARIO_NAMES.join(', ')}`);
  }
  if (
    options.placement !== undefined &&
    !(PLACEMENT_CHOICES as readonly string[]).includes(options.placement)
  )
    throw new UsageError(`unknown placement ${options.placement}; expected: ${PLACEMENT_CHOICES.join(', ')}`);
  const scenarios = (options.scenarios?.length ? options.scenarios : SCENARIO_NAMES) as ScenarioName[];
  const live = liveAddress(options.live ?? {});
  // Flags are values: they win over the environment, which wins over the file (exit 2 if bad).
  const config = await loadConfig({
    ...(options.config !== undefined && { file: options.config }),
    overrides: {
      target: options.target,
      reportDir: options.reportDir,
      placement: options.placement,
      repeat: options.repeat === undefined ? undefined : repeatCount(options.repeat),
    },
  });
  const reportDir = path.resolve(config.reportDir);
  // Exit 2 now, not after the chaos: the directory and every file the run will write in it.
  await prepareReportDir(
    reportDir,
    runReportFiles(scenarios, expandPlacement(config.placement), config.repeat),
  );
  // Exit 3 before anything runs (not 0/9 checks), then one run per lab or cluster.
  const preflight = await targetFor(config).preflight();
  const { lockName } = preflight;
  const say = (line: string): void => void process.stderr.write(`pxchaos: ${line}\n`);
  let reportFile: string | undefined;
  // A taken port: exit 2 before the chaos.
  const session =
    live && (await openLiveSession(`pxchaos run on ${config.target}`, live, () => reportFile, say));
  const lock = await acquireRunLock(lockName, { say }).catch(async (err: unknown) => {
    await session?.server.close();
    throw err;
  });
  let finished: { code: number; html: string } | undefined;
  let lease: RunLease | undefined;
  const unhookLease = onInterrupt(async () => {
    await lease?.release();
  });
  try {
    // Another machine's run on the same cluster: exit 3, naming it, before anything is touched.
    lease = await takeClusterRunLease(preflight, `pxchaos run on ${lockName}`, say);
    // The scenarios read these (not the environment); aborted, every wait of theirs ends.
    const ended = new AbortController();
    beginRunSettings({
      config,
      step: options.step === true,
      signal: lease ? AbortSignal.any([ended.signal, lease.lost]) : ended.signal,
      ...(session && { view: session.view }),
    });
    try {
      finished = await runLocked(scenarios, config, reportDir);
      return finished.code;
    } finally {
      ended.abort(new Error('the run ended'));
      endRunSettings();
    }
  } finally {
    unhookLease();
    await lease?.release();
    lock.release();
    if (session) {
      if (finished) {
        reportFile = finished.html;
        session.view.finish({ exitCode: finished.code, reportPath: finished.html, reportUrl: '/report' });
      }
      await lingerOnTerminal(session, say);
    }
  }
}

async function runLocked(
  scenarios: readonly ScenarioName[],
  config: PxchaosConfig,
  reportDir: string,
): Promise<{ code: number; html: string }> {
  const { target, placement, repeat } = config;
  const runStarted = Date.now();
  process.stderr.write(
    `pxchaos: ${scenarios.length} scenario(s) on target ${target}: ${scenarios.join(', ')}${placement === 'primary' ? '' : `; placement ${placement}`}${repeat > 1 ? `; ${repeat} repetitions each` : ''}; reports in ${reportDir}\n`,
  );
  // Interrupted (after the heal): the reports still cover what ran; the exit stays 130/143.
  // Reports first: closing a Kubernetes target waits for its run namespace to go (~30 s), longer than
  // an interrupt hook may take (measured: Ctrl-C during an arrange left no report at all).
  let arranging = true;
  const unhook = onInterrupt(async (reason) => {
    // Stopped before any scenario began: each still gets its result, saying so.
    if (arranging) await saveNotReached(scenarios, config, reportDir, reason);
    const written = await finishReports(reportDir, runStarted);
    process.stderr.write(
      `pxchaos: interrupted by ${reason}; reports of what ran: ${written.junit}, ${written.html}\n`,
    );
    await closeTargets();
  });
  try {
    const mocha = new Mocha({ reporter: 'spec', timeout: 0, retries: 0 });
    for (const name of scenarios) mocha.addFile(path.join(SCENARIO_DIR, `${name}.spec.ts`));
    await mocha.loadFilesAsync();
    // Before any scenario: a dead run's faults healed (its partition would make the target look
    // broken), then the target opened once for all of them — a dead run's namespace removed, and a
    // target that refuses (another run's namespace, no claimable volume) ends the run here, exit 3.
    const progress = new Progress('run');
    const arrange = (line: string): void => progress.step(`arrange: ${line}`);
    const healed = await healDeadRunsFaults();
    for (const line of healed) arrange(line);
    beginTargetSession(healed);
    arrange(`target ${config.target}`);
    await openSessionTarget(config, arrange, AbortSignal.timeout(OPEN_TIMEOUT_MS)).catch(
      async (err: unknown) => {
        await closeTargets();
        throw err;
      },
    );
    arranging = false;
    const failures = await new Promise<number>((resolve) => mocha.run(resolve)).finally(closeTargets);
    mocha.dispose();

    const written = await finishReports(reportDir, runStarted);
    for (const r of written.results) {
      const failed = r.verdicts.filter((v) => !v.passed).length;
      const rto =
        typeof r.metrics.rto_ms === 'number'
          ? formatDuration(r.metrics.rto_ms)
          : String(r.metrics.rto_ms ?? '-');
      process.stderr.write(
        `  ${failed === 0 ? 'PASS' : 'FAIL'} ${resultTitle(r)}: RTO ${rto}, acked ${String(r.metrics.acked ?? 0)}, lost ${String(r.metrics.lost_acked ?? '?')}, ${formatDuration(r.durationMs)}\n`,
      );
    }
    process.stderr.write(`pxchaos: reports: ${written.junit}, ${written.html}\n`);
    const failed = failures > 0 || written.results.some((r) => r.verdicts.some((v) => !v.passed));
    return { code: failed ? 1 : 0, html: written.html };
  } finally {
    unhook();
  }
}

/** A result for every scenario and placement of the run, each check failing as interrupted during arrange. */
async function saveNotReached(
  scenarios: readonly ScenarioName[],
  config: PxchaosConfig,
  reportDir: string,
  reason: string,
): Promise<void> {
  const repetitions = Array.from({ length: config.repeat }, (_, i) =>
    config.repeat > 1 ? i + 1 : undefined,
  );
  for (const scenario of scenarios)
    for (const placement of expandPlacement(config.placement))
      for (const repetition of repetitions) {
        const flow = { facts: { kind: scenario }, interrupted: { reason, phase: 'arrange' }, durationMs: 0 };
        const meta = { scenario, target: config.target, sut: 'unknown', placement, repetition };
        await saveJudged(reportDir, new Timeline().toData(meta, { values: {}, flow }));
      }
}

/** The run's target, shared by its scenarios, is closed once they are done (or interrupted). */
async function closeTargets(): Promise<void> {
  await endTargetSession().catch((err: unknown) =>
    process.stderr.write(`pxchaos: closing the target: ${(err as Error).message}\n`),
  );
}

/**
 * A run's report is exactly its scenarios: results an earlier run left (older than this run) are
 * removed only now, when this run's own are there to replace them, then junit.xml and report.html
 * are rebuilt. An interrupted run thus never leaves CI with nothing.
 */
export async function finishReports(dir: string, runStarted: number): Promise<WrittenReports> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.endsWith(RESULT_SUFFIX) || n.endsWith(TIMELINE_SUFFIX))
      .map(async (n) => {
        const file = path.join(dir, n);
        const info = await stat(file).catch(() => undefined);
        if (info && info.mtimeMs < runStarted) await rm(file, { force: true });
      }),
  );
  return writeReports(dir);
}
