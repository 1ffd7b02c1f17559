import { formatDuration } from '../time/duration.js';
import type { Expectation, Expectations, FaultKind } from '../sut/expectations.js';
import type { PxchaosConfig } from './config-schema.js';

/**
 * The expectations table with the config's per-scenario `hold` and `thresholds` applied.
 * Each overridden entry says so in its `source`, so a report shows where a figure came from.
 */
export function applyThresholds(
  expectations: Expectations,
  config: Pick<PxchaosConfig, 'scenarios' | 'source'>,
): Expectations {
  const out = { ...expectations } as Record<FaultKind, Expectation>;
  for (const kind of Object.keys(expectations) as FaultKind[]) {
    const settings = config.scenarios[kind];
    if (!settings) continue;
    const base = expectations[kind];
    const t = settings.thresholds;
    const changed: string[] = [];
    const next: Expectation = {
      ...base,
      holdMs: settings.holdMs ?? base.holdMs,
      recoveryWithinMs: t?.recoveryWithinMs ?? base.recoveryWithinMs,
      failedWritesAllowed: t?.failedWritesAllowed ?? base.failedWritesAllowed,
      primaryMoves: t?.primaryMoves ?? base.primaryMoves,
    };
    if (settings.holdMs !== undefined) changed.push(`hold=${formatDuration(settings.holdMs)}`);
    if (t?.recoveryWithinMs !== undefined)
      changed.push(`recoveryWithin=${formatDuration(t.recoveryWithinMs)}`);
    if (t?.failedWritesAllowed !== undefined)
      changed.push(`failedWritesAllowed=${String(t.failedWritesAllowed)}`);
    if (t?.primaryMoves !== undefined) changed.push(`primaryMoves=${String(t.primaryMoves)}`);
    if (changed.length === 0) continue;
    const where = config.source ? `config ${config.source}` : 'config';
    out[kind] = { ...next, source: `${base.source}; overridden by ${where}: ${changed.join(', ')}` };
  }
  return out;
}
