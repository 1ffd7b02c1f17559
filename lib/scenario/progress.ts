import { formatDuration } from '../time/duration.js';

/**
 * Console progress for long steps: one line per step with the scenario's elapsed time, and a
 * countdown to the expected recovery while a fault is held. Writes to stderr so that stdout stays
 * the reporter's.
 */
export class Progress {
  private readonly started = performance.now();
  private countdown: NodeJS.Timeout | undefined;

  constructor(
    readonly scenario: string,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  step(message: string): void {
    this.write(`  [${this.scenario} +${formatDuration(this.elapsedMs())}] ${message}`);
  }

  /** Prints every `everyMs` how long until `deadlineMs` (elapsed since start) and what is awaited. */
  startCountdown(what: string, deadlineMs: number, status: () => string, everyMs = 5000): void {
    this.stopCountdown();
    this.countdown = setInterval(() => {
      const left = deadlineMs - this.elapsedMs();
      this.step(
        `${what}: ${left > 0 ? `${formatDuration(left)} left` : 'past the expected time'}; ${status()}`,
      );
    }, everyMs);
    this.countdown.unref();
  }

  stopCountdown(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
  }
}
