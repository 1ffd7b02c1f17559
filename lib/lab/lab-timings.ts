import { formatDuration } from '../time/duration.js';
import { UsageError } from '../errors.js';
import type { TimingSettings } from '../sut/recovery-phases.js';

/** Patroni's failover timings (whole seconds inside Patroni; milliseconds here). */
export interface PatroniTimings {
  /** Leader key lifetime: how long the leader may go without renewing it before replicas take over. */
  readonly ttlMs: number;
  /** Period of Patroni's HA loop (renewal, health checks, reconfiguration). */
  readonly loopWaitMs: number;
  /** How long DCS and Postgres calls are retried before Patroni gives up (a leader then demotes itself). */
  readonly retryTimeoutMs: number;
  /** How long a crashed primary may take to come back on its own node before Patroni fails over. */
  readonly primaryStartTimeoutMs: number;
}

/**
 * Quick but realistic failover. Why these values (Patroni's defaults are 30 / 10 / 10 / 300 s):
 * - loop_wait 2 s: the leader renews its key, and every member checks Postgres, every 2 s; replicas react to
 *   the key's expiry at once anyway (etcd3 watch), so this mostly bounds how fast a crash is noticed. The cost
 *   is one etcd write per 2 s, nothing on this machine.
 * - retry_timeout 5 s: survives an etcd leader election (election timeout 2 s in the lab) or a short CPU
 *   stall on this shared 2-core machine without a spurious demotion.
 * - ttl 20 s: Patroni requires loop_wait + 2 × retry_timeout ≤ ttl (here 12 ≤ 20) so that a leader cut off
 *   from etcd demotes itself (after ≤ loop_wait + retry_timeout ≈ 7 s) well before its key expires and a
 *   replica promotes: never two writable primaries. 20 s is also the agent's grace window: restarting
 *   Patroni takes a few seconds here, so "restart within grace" is a realistic scenario.
 * - primary_start_timeout 10 s: with synchronous replication a failover loses no acknowledged commit, so
 *   there is no reason to wait Patroni's default 300 s for a crashed primary; 10 s still lets a plain crash
 *   (crash recovery takes ~1-3 s here) restart in place. Worst case after a crash (Patroni docs):
 *   loop_wait + primary_start_timeout + loop_wait = 14 s.
 * Expected failover after the leader's node vanishes: the key expires ttl after its last renewal
 * (ttl - loop_wait .. ttl after the fault), then promotion of the sync standby (~1-2 s): ~18-23 s.
 */
export const DEFAULT_TIMINGS: PatroniTimings = {
  ttlMs: 20_000,
  loopWaitMs: 2_000,
  retryTimeoutMs: 5_000,
  primaryStartTimeoutMs: 10_000,
};

/** Whole seconds for Patroni; refuses combinations Patroni would silently adjust. */
export function timingsInSeconds(t: PatroniTimings): {
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  primaryStartTimeout: number;
} {
  const s = {
    ttl: Math.round(t.ttlMs / 1000),
    loopWait: Math.round(t.loopWaitMs / 1000),
    retryTimeout: Math.round(t.retryTimeoutMs / 1000),
    primaryStartTimeout: Math.round(t.primaryStartTimeoutMs / 1000),
  };
  if (s.loopWait < 1 || s.retryTimeout < 1 || s.ttl < 1 || s.primaryStartTimeout < 0) {
    throw new UsageError(
      'Patroni timings are whole seconds: ttl, loop_wait and retry_timeout must be at least 1s',
    );
  }
  if (s.loopWait + 2 * s.retryTimeout > s.ttl) {
    throw new UsageError(
      `Patroni needs loop_wait + 2 × retry_timeout ≤ ttl; got ${formatDuration(t.loopWaitMs)} + 2 × ${formatDuration(t.retryTimeoutMs)} > ${formatDuration(t.ttlMs)}`,
    );
  }
  return s;
}

/** The timings as the recovery's phases predict from them, saying where they come from. */
export function patroniTimingSettings(t: PatroniTimings): TimingSettings {
  const source =
    "Patroni's dynamic config as `pxchaos lab up` set it (lab.patroni, defaults in lib/lab/lab-timings.ts)";
  return {
    ttl: { ms: t.ttlMs, source },
    loopWait: { ms: t.loopWaitMs, source },
    retryTimeout: { ms: t.retryTimeoutMs, source },
  };
}
