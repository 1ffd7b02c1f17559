import type { LiveView } from '../live/live-view.js';
import { loadConfig, type PxchaosConfig } from '../pxchaos-config.js';

/** What a run hands its scenarios: values, not environment variables. */
export interface RunSettings {
  readonly config: PxchaosConfig;
  /** `--step`: explain each action and wait for Enter. */
  readonly step: boolean;
  /** Aborted when the run ends early (interrupted): every wait of every scenario derives from it. */
  readonly signal: AbortSignal;
  /** `--live`: the page that shows the run as it happens. */
  readonly view?: LiveView;
}

let current: RunSettings | undefined;
let standalone: Promise<RunSettings> | undefined;

/** `pxchaos run` sets its settings before its scenarios load; cleared when it ends. */
export function beginRunSettings(settings: RunSettings): void {
  current = settings;
}

export function endRunSettings(): void {
  current = undefined;
}

/**
 * The run's settings; for a scenario spec run by plain mocha, the configuration loaded once for the
 * process (file, then the documented PXCHAOS_* overrides) without --step.
 */
export function runSettings(): Promise<RunSettings> {
  if (current) return Promise.resolve(current);
  standalone ??= loadConfig().then((config) => ({
    config,
    step: false,
    signal: new AbortController().signal,
  }));
  return standalone;
}
