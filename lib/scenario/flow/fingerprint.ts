import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { harnessCommit, packageVersion } from '../../harness-version.js';
import type { RunFingerprint } from '../../observe/run-fingerprint.js';
import type { Expectation } from '../../sut/expectations.js';
import type { Sut } from '../../sut/sut.js';
import { readQuery } from '../../workload/read-query.js';
import type { ScenarioContext } from './scenario-context.js';

/** Each figure has this long: a fingerprint must never hold a scenario up. */
const READ_MS = 10_000;

const unknown = (err: unknown) => `unknown (${(err as Error).message.split('\n')[0] ?? 'failed'})`;

/**
 * The scenario's fingerprint (lib/observe/run-fingerprint.ts), read once the SUT is settled: the
 * Postgres server's version, the platform's (the SUT's `platformVersions`), the harness's, and a
 * digest of the timing settings the fault is judged by.
 */
export async function readFingerprint(
  ctx: ScenarioContext,
  sut: Sut,
  expectation: Expectation | undefined,
): Promise<RunFingerprint> {
  const [postgres, platform, commit] = await Promise.all([
    serverVersion(sut, ctx.within(READ_MS)).catch(unknown),
    (sut.platformVersions?.(ctx.within(READ_MS)) ?? Promise.resolve({})).catch((err: unknown) => ({
      platform: unknown(err),
    })),
    harnessCommit(),
  ]);
  return {
    target: ctx.target().name,
    sut: sut.name,
    postgres,
    ...platform,
    harness: packageVersion(),
    harness_commit: commit,
    cpus: String(availableParallelism()),
    timing: timingDigest(ctx, expectation),
  };
}

async function serverVersion(sut: Sut, signal: AbortSignal): Promise<string> {
  const rows = await readQuery<{ server_version: string }>(
    await sut.writeEndpoint(signal),
    'SHOW server_version',
    [],
    { applicationName: 'pxchaos-fingerprint', signal, timeoutMs: READ_MS, retries: 1 },
  );
  return rows[0]?.server_version ?? 'unknown (no row)';
}

/**
 * 12 hex digits of SHA-256 over the settings a recovery is timed against: the fault's expectation
 * as applied (thresholds, hold, settle; not its wording) and the platform's own timers the config
 * sets (Patroni's on the lab; tolerations and the stuck-pod remedy on Kubernetes).
 */
export function timingDigest(
  ctx: Pick<ScenarioContext, 'config'>,
  expectation: Expectation | undefined,
): string {
  const { source: _source, notes: _notes, ...timing } = expectation ?? ({ source: '' } as Expectation);
  const { config } = ctx;
  const settings = {
    expectation: timing,
    patroni: config.target === 'lab' ? config.lab.patroni : undefined,
    kube:
      config.target === 'lab'
        ? undefined
        : { tolerationMs: config.kube.tolerationMs, forceDeleteMs: config.kube.forceDeleteStuckPodAfterMs },
  };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12);
}
