import type { ScenarioResult } from '../observe/timeline-events.js';

/** `network-partition [lab/patroni]`: the target and SUT in the name, so CI views tell runs apart. */
export function suiteName(r: Pick<ScenarioResult, 'scenario' | 'target' | 'sut' | 'placement'>): string {
  // The primary placement keeps the name scripts already match on.
  const placed = r.placement === undefined || r.placement === 'primary' ? '' : `, ${r.placement}`;
  return `${r.scenario} [${r.target}/${r.sut}${placed}]`;
}
