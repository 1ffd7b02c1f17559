import type { TimelineEvent } from '../observe/timeline-events.js';

/**
 * What the scenario needs to know *while* a fault is held (when to heal, what to print), kept
 * incrementally from the same events that go into the timeline. Verdicts never read this: they are
 * computed from the saved timeline after the fact.
 */
export class LiveState {
  acked = 0;
  failed = 0;
  unknown = 0;
  lastFailureT: number | undefined;
  lastAckT: number | undefined;
  primary: string | undefined;

  observe(e: TimelineEvent): void {
    switch (e.kind) {
      case 'write': {
        const doneT = e.t + e.latencyMs;
        if (e.outcome === 'acked') {
          this.acked++;
          this.lastAckT = Math.max(this.lastAckT ?? 0, doneT);
        } else {
          if (e.outcome === 'failed') this.failed++;
          else this.unknown++;
          this.lastFailureT = Math.max(this.lastFailureT ?? 0, doneT);
        }
        break;
      }
      case 'platform':
        if (e.event === 'leader-changed' || e.event === 'primary-changed')
          this.primary = e.node ?? this.primary;
        break;
      default:
        break;
    }
  }

  /** Writes failed at some point and have been acknowledged without a failure for `stableMs` since. */
  recoveredFor(stableMs: number, nowT: number): boolean {
    if (this.lastFailureT === undefined || this.lastAckT === undefined) return false;
    return this.lastAckT > this.lastFailureT && nowT - this.lastFailureT >= stableMs;
  }

  summary(): string {
    return `writes acked ${this.acked}, failed ${this.failed}, unknown ${this.unknown}; primary ${this.primary ?? '?'}`;
  }
}
