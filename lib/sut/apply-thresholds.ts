import { formatDuration } from '../time/duration.js';
import type { Expectation, Expectations, FaultKind, PlacedExpectations } from './expectations.js';
import type { ScenariosSettings } from '../config/config-schema.js';

/** What of the config the thresholds come from: its per-scenario settings, and the file that set them. */
export interface ThresholdSettings {
  readonly scenarios: ScenariosSettings;
  readonly source?: string;
}

/**
 * The expectations table with the config's per-scenario `hold` and `thresholds` applied.
 * Each overridden entry says so in its `source`, so a report shows where a figure came from.
 */
export function applyThresholds<E extends Expectations>(expectations: E, config: ThresholdSettings): E {
  const out: Partial<Record<FaultKind, Expectation>> = { ...expectations };
  for (const kind of Object.keys(expectations) as FaultKind[]) {
    const settings = config.scenarios[kind];
    const base = expectations[kind];
    if (!settings || !base) continue;
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
  // Same keys as the input: only values were replaced.
  return out as E;
}

/**
 * The same for the placed tables (replica, bystander): a scenario's `hold` and `thresholds` are the
 * user's word on that fault wherever it is placed.
 */
export function applyPlacedThresholds(
  placed: PlacedExpectations,
  config: ThresholdSettings,
): PlacedExpectations {
  return Object.fromEntries(
    Object.entries(placed).map(([placement, table]) => [placement, applyThresholds(table, config)]),
  );
}
