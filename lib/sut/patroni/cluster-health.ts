import type { PatroniClusterView } from './patroni-rest.js';

/** Replay lag above this counts as a problem (Patroni's maximum_lag_on_failover in the lab: 1 MiB). */
export const MAX_HEALTHY_LAG_BYTES = 1_048_576;

export interface ClusterAssessment {
  readonly healthy: boolean;
  readonly leader?: string;
  readonly syncStandby?: string;
  readonly timeline?: number;
  readonly problems: readonly string[];
}

const RUNNING = new Set(['running', 'streaming']);

/**
 * Judges one DCS view: healthy = one running leader, a running synchronous standby, and every
 * expected node a running, caught-up member.
 */
export function assessCluster(
  view: PatroniClusterView | undefined,
  expectedNodes: readonly string[],
): ClusterAssessment {
  if (!view) return { healthy: false, problems: ['no Patroni REST API answered'] };
  const problems: string[] = [];
  const leaders = view.members.filter((m) => m.role === 'leader');
  const leader = leaders[0];
  if (leaders.length === 0) problems.push('no leader');
  if (leaders.length > 1) problems.push(`several leaders: ${leaders.map((m) => m.name).join(', ')}`);
  if (leader && !RUNNING.has(leader.state)) problems.push(`leader ${leader.name} is ${leader.state}`);
  const sync = view.members.find((m) => m.role === 'sync_standby');
  if (!sync) problems.push('no synchronous standby');
  for (const name of expectedNodes) {
    const m = view.members.find((x) => x.name === name);
    if (!m) {
      problems.push(`${name}: not a cluster member`);
      continue;
    }
    if (!RUNNING.has(m.state)) problems.push(`${name}: ${m.role} is ${m.state}`);
    if (m.role !== 'leader') {
      if (typeof m.lag === 'number' && m.lag > MAX_HEALTHY_LAG_BYTES)
        problems.push(`${name}: lag ${m.lag} bytes`);
      if (m.lag === 'unknown') problems.push(`${name}: lag unknown (not streaming)`);
      if (leader?.timeline !== undefined && m.timeline !== undefined && m.timeline !== leader.timeline) {
        problems.push(`${name}: on timeline ${m.timeline}, leader on ${leader.timeline}`);
      }
    }
  }
  return {
    healthy: problems.length === 0,
    ...(leader && { leader: leader.name }),
    ...(sync && { syncStandby: sync.name }),
    ...(leader?.timeline !== undefined && { timeline: leader.timeline }),
    problems,
  };
}

/**
 * One view out of several nodes' /cluster answers. A node that was cut off serves its own stale view
 * (itself as leader) for a moment after it comes back, so the views vote: the leader most views name
 * wins, a tie goes to the leader on the newest timeline (promotion starts a new one).
 */
export function consensusView(
  views: readonly (PatroniClusterView | undefined)[],
): PatroniClusterView | undefined {
  const answered = views.filter((v): v is PatroniClusterView => v !== undefined);
  if (answered.length <= 1) return answered[0];
  const leaderOf = (v: PatroniClusterView): { name: string; timeline: number } | undefined => {
    const m = v.members.find((x) => x.role === 'leader');
    return m ? { name: m.name, timeline: m.timeline ?? -1 } : undefined;
  };
  const votes = new Map<string, { count: number; timeline: number; view: PatroniClusterView }>();
  for (const v of answered) {
    const l = leaderOf(v);
    const key = l?.name ?? '';
    const cur = votes.get(key);
    const timeline = l?.timeline ?? -1;
    if (!cur) votes.set(key, { count: 1, timeline, view: v });
    else
      votes.set(key, {
        count: cur.count + 1,
        timeline: Math.max(cur.timeline, timeline),
        view: timeline > cur.timeline ? v : cur.view,
      });
  }
  return [...votes.values()].sort((a, b) => b.count - a.count || b.timeline - a.timeline)[0]?.view;
}
