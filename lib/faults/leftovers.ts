import type { NodeAccess } from '../nodes/node-access.js';
import { ANY_TIMER_PATTERN } from './auto-revert-timer.js';
import { CHAIN_PREFIX } from './partition-rules.js';

/**
 * Everything pxchaos may have left on a node: iptables chains/rules naming a PXCHAOS- chain and
 * pending auto-revert timers, one line each. Empty = clean.
 */
export async function findLeftovers(
  node: NodeAccess,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const signal = options.signal && { signal: options.signal };
  const [rules, timers] = await Promise.all([
    node.exec(['sh', '-c', 'command -v iptables >/dev/null || exit 0; iptables -w 5 -S'], {
      timeoutMs: 15_000,
      ...signal,
    }),
    node.exec(['pgrep', '-af', ANY_TIMER_PATTERN], { timeoutMs: 15_000, check: false, ...signal }),
  ]);
  const found = rules.stdout
    .split('\n')
    .filter((l) => l.includes(CHAIN_PREFIX))
    .map((l) => `${node.name}: iptables ${l.trim()}`);
  if (timers.exitCode === 0) {
    for (const line of timers.stdout.split('\n')) {
      if (!line.trim()) continue;
      const pid = line.trim().split(' ')[0];
      const marker = /pxchaos-timer-\S+/.exec(line)?.[0] ?? line.trim().slice(0, 120);
      found.push(`${node.name}: pending auto-revert timer ${marker} (pid ${pid})`);
    }
  }
  return found;
}
