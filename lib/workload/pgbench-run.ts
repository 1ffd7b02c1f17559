import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveEndpoint, type EndpointSource } from './endpoint-source.js';
import { summarizePgbenchLog, type PgbenchClientCounts } from './pgbench-log.js';
import { TcpRelay } from './tcp-relay.js';

/**
 * pgbench's builtin TPC-B-like script (`pgbench --show-script=tpcb-like`, pgbench 15) with one
 * change: the INSERT into pgbench_history also sets `filler` to a tag naming the pgbench process
 * (incarnation) and the client, `<run>p<n>c<client_id>`, so every history row of this run can be
 * counted per client against what that client's log acknowledged. filler is char(22): the tag is
 * at most 8 + 1 + 5 + 1 + 2 = 17 characters; char pads it with blanks (read it with rtrim).
 * `':tag'` is quoted in the script: in pgbench's simple query mode a variable is substituted as
 * text, quotes included (the extended and prepared modes would send it as a parameter instead).
 */
export const TAGGED_TPCB_SCRIPT = `\\set aid random(1, 100000 * :scale)
\\set bid random(1, 1 * :scale)
\\set tid random(1, 10 * :scale)
\\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime, filler) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP, ':tag' || 'c' || :client_id);
END;
`;

/** pgbench_history.filler's width (char(22) since pgbench -i of 8.x). */
const FILLER_WIDTH = 22;

export interface PgbenchRunOptions {
  /** Asked again before every pgbench process, so transactions follow a failover. */
  readonly endpoint: EndpointSource;
  /** The dataset's scale (pgbench -s): a custom script's :scale is 1 unless it is given. */
  readonly scale: number;
  /** pgbench -c. Default 2. */
  readonly clients?: number;
  /** pgbench -R: transactions per second, all clients together. Default 10. */
  readonly ratePerSec?: number;
  /** pgbench -T of one process, whole seconds; a new one starts after every exit. Default 10 s. */
  readonly segmentMs?: number;
  /** PGCONNECT_TIMEOUT (whole seconds, at least 2: libpq's minimum) and the endpoint lookup's deadline. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** 8 hex digits naming this run in the tags. Default: random. */
  readonly run?: string;
  /** The pgbench binary. Default `pgbench` from PATH. */
  readonly command?: string;
  readonly applicationName?: string;
}

/** What the pgbench processes of one run reported, from their logs. */
export interface PgbenchTally {
  /** Every history row of this run has a filler starting with this (`<run>p`). */
  readonly tagPrefix: string;
  /** Tag (`<run>p<n>c<client>`) → what that client's log says about its transactions. */
  readonly clients: ReadonlyMap<string, PgbenchClientCounts>;
  readonly acked: number;
  /** Logged as failed, serialization or deadlock: rolled back, not acknowledged. */
  readonly failed: number;
  readonly skipped: number;
  /** pgbench processes started (segments), including those that never connected. */
  readonly segments: number;
  /** Processes started again after one that failed (an aborted client, no connection). */
  readonly restarts: number;
  /** Processes still running 5 s past their time, whose sessions were cut (a black-holed server). */
  readonly overran: number;
  /** Processes ended by a signal: log lines still in their buffer are missing (acknowledgements under-counted). */
  readonly killed: number;
  /** Log lines that were not pgbench log lines, or cut short. */
  readonly malformed: number;
  /** The last failed process's own words (stderr tail), or why pgbench could not run. */
  readonly lastError?: string;
}

interface SegmentExit {
  readonly ok: boolean;
  readonly killed?: boolean;
  /** pgbench cannot run here at all (not installed): no point starting it again. */
  readonly fatal?: boolean;
  readonly error?: string;
}

interface RunningSegment {
  /** Ends the process the gentlest way that still works; resolves when it exited. */
  finish(): void;
  readonly exited: Promise<SegmentExit>;
}

/** How long past its -T (and its connect deadline) a process may run before its sessions are cut. */
const OVERRUN_MS = 5000;
/** Between the steps that end a process: a chance to exit on its own before the next, harder one. */
const STEP_MS = 1000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 2000;

/**
 * pgbench transactions through the fault: the host's pgbench runs TAGGED_TPCB_SCRIPT against the
 * write endpoint in short segments (-T), and a new process starts after every exit, re-resolving
 * the endpoint (pgbench 15 aborts a client on a connection error and exits once all are aborted;
 * a failed start backs off briefly). Each process logs every transaction (--log); the logs are
 * read after each exit, so the run knows per client how many transactions pgbench saw committed.
 *
 * Deadlines: pgbench has none on a query, so it connects through a TcpRelay. A process still
 * running 5 s past its connect deadline + -T (a black-holed session) gets its sessions cut and exits as after any
 * connection loss, its log flushed; only a process that then still runs is killed (SIGINT, then
 * SIGKILL). A kill loses the log lines still in pgbench's stdio buffer: that can only under-count
 * acknowledgements, the safe direction for a durability check (`killed` counts such processes).
 * The password goes through PGPASSWORD, never argv.
 */
export class PgbenchRun {
  readonly run: string;
  readonly tagPrefix: string;
  private readonly options: PgbenchRunOptions;
  private readonly relay: TcpRelay;
  private readonly stopper = new AbortController();
  private dir: string | undefined;
  private relayAt: { readonly host: string; readonly port: number } | undefined;
  private loopDone: Promise<void> | undefined;
  private current: RunningSegment | undefined;
  private stopping = false;
  private stopped: Promise<PgbenchTally> | undefined;
  private readonly counts = new Map<string, PgbenchClientCounts>();
  private segments = 0;
  private restarts = 0;
  private killed = 0;
  private overran = 0;
  private malformed = 0;
  private lastError: string | undefined;

  constructor(options: PgbenchRunOptions) {
    this.options = options;
    this.run = options.run ?? randomBytes(4).toString('hex');
    if (!/^[0-9a-f]{8}$/.test(this.run))
      throw new RangeError(`pgbench run id must be 8 hex digits, got ${this.run}`);
    const clients = options.clients ?? 2;
    if (!Number.isInteger(clients) || clients < 1 || clients > 99)
      throw new RangeError(`pgbench clients must be 1 to 99, got ${clients}`);
    if (!Number.isInteger(options.scale) || options.scale < 1)
      throw new RangeError(`pgbench scale must be a positive integer, got ${options.scale}`);
    const rate = options.ratePerSec ?? 10;
    if (!(rate > 0)) throw new RangeError(`pgbench rate must be positive, got ${rate}`);
    const segmentMs = options.segmentMs ?? 10_000;
    if (!(segmentMs >= 1000) || segmentMs % 1000 !== 0)
      throw new RangeError(`pgbench segment must be whole seconds (at least 1 s), got ${segmentMs} ms`);
    this.tagPrefix = `${this.run}p`;
    this.relay = new TcpRelay({ connectTimeoutMs: this.connectTimeoutMs });
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 5000;
  }

  /** Starts the first process's loop; returns at once (the loop runs until stop()). */
  async start(): Promise<void> {
    if (this.loopDone || this.stopping) throw new Error('pgbench run already started');
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'pxchaos-pgbench-'));
    await writeFile(path.join(this.dir, 'tpcb-like-tagged.sql'), TAGGED_TPCB_SCRIPT);
    this.relayAt = await this.relay.listen();
    this.loopDone = this.loop();
  }

  /** Everything counted so far (complete once stop() resolved). */
  get tally(): PgbenchTally {
    let acked = 0;
    let failed = 0;
    let skipped = 0;
    for (const c of this.counts.values()) {
      acked += c.acked;
      failed += c.failed;
      skipped += c.skipped;
    }
    return {
      tagPrefix: this.tagPrefix,
      clients: new Map(this.counts),
      acked,
      failed,
      skipped,
      segments: this.segments,
      restarts: this.restarts,
      overran: this.overran,
      killed: this.killed,
      malformed: this.malformed,
      ...(this.lastError !== undefined && { lastError: this.lastError }),
    };
  }

  /**
   * Ends the running process the gentle way first: SIGALRM is pgbench's own -T timer (measured on
   * pgbench 15: clients finish the transaction they are in, the log is flushed, exit 0). Then cut
   * sessions, then kill, 1 s apart (at most ~3 s). Idempotent, never throws; returns the final tally.
   */
  stop(): Promise<PgbenchTally> {
    this.stopped ??= this.end();
    return this.stopped;
  }

  private async end(): Promise<PgbenchTally> {
    this.stopping = true;
    this.stopper.abort();
    this.current?.finish();
    await this.loopDone?.catch(() => undefined);
    await this.relay.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.dir = undefined;
    return this.tally;
  }

  private async loop(): Promise<void> {
    let failuresInARow = 0;
    while (!this.stopping) {
      const n = this.segments + 1;
      if (`${this.tagPrefix}${n}c${(this.options.clients ?? 2) - 1}`.length > FILLER_WIDTH) {
        this.lastError = `stopped after ${n - 1} pgbench processes: their tags no longer fit pgbench_history.filler`;
        break;
      }
      this.segments = n;
      let exit: SegmentExit;
      try {
        const endpoint = await resolveEndpoint(
          this.options.endpoint,
          this.connectTimeoutMs,
          this.stopper.signal,
        );
        this.relay.target = endpoint;
        const segment = this.startSegment(n, endpoint.user, endpoint.database, endpoint.password);
        this.current = segment;
        exit = await segment.exited;
      } catch (err) {
        exit = { ok: false, error: `endpoint lookup: ${(err as Error).message}` };
      } finally {
        this.current = undefined;
      }
      await this.collect(n);
      if (exit.killed) this.killed++;
      if (exit.ok) {
        failuresInARow = 0;
        continue;
      }
      // A process the stop itself ended is no failure.
      if (exit.error !== undefined && (exit.fatal || !this.stopping)) this.lastError = exit.error;
      if (exit.fatal || this.stopping) break;
      this.restarts++;
      failuresInARow++;
      await this.pause(Math.min(BACKOFF_MIN_MS * 2 ** (failuresInARow - 1), BACKOFF_MAX_MS));
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopper.signal });
    } catch {
      // stopped
    }
  }

  private startSegment(n: number, user: string, database: string, password: string): RunningSegment {
    const dir = this.dir ?? '';
    const relay = this.relayAt ?? { host: '127.0.0.1', port: 0 };
    const segmentMs = this.options.segmentMs ?? 10_000;
    const args = [
      // No vacuum before the run, and above all not pgbench's default TRUNCATE of pgbench_history.
      '-n',
      '-M',
      'simple',
      '-s',
      String(this.options.scale),
      '-c',
      String(this.options.clients ?? 2),
      '-j',
      '1',
      '-R',
      String(this.options.ratePerSec ?? 10),
      '-T',
      String(segmentMs / 1000),
      '-D',
      `tag=${this.tagPrefix}${n}`,
      '-f',
      path.join(dir, 'tpcb-like-tagged.sql'),
      '--log',
      `--log-prefix=${path.join(dir, `p${n}`)}`,
      '-h',
      relay.host,
      '-p',
      String(relay.port),
      '-U',
      user,
      database,
    ];
    const child = spawn(this.options.command ?? 'pgbench', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        PGPASSWORD: password,
        PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(this.connectTimeoutMs / 1000))),
        PGAPPNAME: this.options.applicationName ?? 'pxchaos-pgbench',
      },
    });
    // pgbench's own words on a failure: its "error:" lines (a libpq message can span lines).
    let stderr: string[] = [];
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      stderr = [...stderr, ...lines.map((l) => l.trim()).filter(Boolean)].slice(-6);
    });
    const timers: NodeJS.Timeout[] = [];
    let finishing = false;
    const escalate = (first: 'alarm' | 'cut'): void => {
      if (finishing) return;
      finishing = true;
      const steps: (() => void)[] = [
        ...(first === 'alarm' ? [() => child.kill('SIGALRM')] : []),
        () => this.relay.dropAll(),
        () => child.kill('SIGINT'),
        () => child.kill('SIGKILL'),
      ];
      steps.forEach((step, i) => {
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) step();
        }, i * STEP_MS);
        timers.push(timer);
      });
    };
    const overrun = setTimeout(
      () => {
        if (!finishing) this.overran++;
        escalate('cut');
      },
      this.connectTimeoutMs + segmentMs + OVERRUN_MS,
    );
    timers.push(overrun);
    const exited = new Promise<SegmentExit>((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        timers.forEach(clearTimeout);
        resolve({
          ok: false,
          fatal: err.code === 'ENOENT',
          error:
            err.code === 'ENOENT'
              ? `pgbench could not run on the harness host: ${err.message} (install PostgreSQL's client tools, or set workload.pgbench.enabled: false)`
              : `pgbench could not run: ${err.message}`,
        });
      });
      child.once('close', (code, signal) => {
        timers.forEach(clearTimeout);
        const lines = [...stderr, partial.trim()].filter(Boolean);
        const errors = lines.filter((l) => /error:/.test(l));
        const said = (errors.length ? errors : lines).slice(-2).join(' | ');
        if (code === 0) return resolve({ ok: true });
        resolve({
          ok: false,
          // SIGALRM kills only a process still making its setup connection: pgbench 15 installs its -T
          // handler right after it, before it opens its log or connects its clients (strace): nothing is lost.
          ...(signal !== null && signal !== 'SIGALRM' && { killed: true }),
          error: `pgbench segment ${n} ${code !== null ? `exited ${code}` : `ended by ${signal}`}${said ? `: ${said}` : ''} (pgbench's ${relay.host}:${relay.port} is the harness's relay to ${this.relay.target ? `${this.relay.target.host}:${this.relay.target.port}` : '?'})`,
        });
      });
    });
    return { finish: () => escalate('alarm'), exited };
  }

  /** Adds process n's log lines to the per-client counts and removes its log files. */
  private async collect(n: number): Promise<void> {
    const dir = this.dir;
    if (!dir) return;
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith(`p${n}.`));
    for (const file of files) {
      const full = path.join(dir, file);
      const text = await readFile(full, 'utf8').catch(() => '');
      await rm(full, { force: true }).catch(() => undefined);
      const summary = summarizePgbenchLog(text);
      this.malformed += summary.malformed;
      for (const [client, c] of summary.clients) {
        const tag = `${this.tagPrefix}${n}c${client}`;
        const before = this.counts.get(tag) ?? { acked: 0, failed: 0, skipped: 0 };
        this.counts.set(tag, {
          acked: before.acked + c.acked,
          failed: before.failed + c.failed,
          skipped: before.skipped + c.skipped,
        });
      }
    }
  }
}
