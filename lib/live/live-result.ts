import type { ScenarioResult } from '../observe/timeline-events.js';
import type { LiveResult } from './live-messages.js';

/** What the live page shows of a judged scenario: its checks as in junit.xml, its figures, its phases. */
export function liveResult(result: ScenarioResult): LiveResult {
  return {
    checks: result.verdicts.map(({ name, passed, message }) => ({
      name,
      passed,
      ...(message !== undefined && { message }),
    })),
    metrics: result.metrics,
    ...(result.phases && { phases: result.phases }),
  };
}
