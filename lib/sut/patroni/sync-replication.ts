import type { PatroniClusterView, PatroniRest } from './patroni-rest.js';

/**
 * Whether the primary really replicates synchronously to the standby the DCS names. Patroni 3.0.2
 * (Debian bookworm) drops synchronous_standby_names from postgresql.conf when it restarts next to a
 * running primary and never sets it again while the /sync key is unchanged: commits are then
 * acknowledged asynchronously although /cluster still shows a sync_standby (docs/lab.md).
 */
export interface SyncReplicationCheck {
  readonly leader: string;
  /** The sync standby per the DCS /sync key. */
  readonly dcsSyncStandby: string;
  /** Standbys pg_stat_replication on the primary reports as sync. */
  readonly pgSyncStandbys: readonly string[];
  readonly ok: boolean;
}

/** Undefined when it cannot be judged (no leader, no DCS sync standby, the leader's API silent). */
export async function checkSyncReplication(
  rest: PatroniRest,
  view: PatroniClusterView | undefined,
  signal?: AbortSignal,
): Promise<SyncReplicationCheck | undefined> {
  const leader = view?.members.find((m) => m.role === 'leader')?.name;
  const dcsSyncStandby = view?.members.find((m) => m.role === 'sync_standby')?.name;
  if (!leader || !dcsSyncStandby || !rest.endpoints.some((e) => e.name === leader)) return undefined;
  const status = await rest.status(leader, signal);
  if (!status?.replication) return undefined;
  const pgSyncStandbys = status.replication
    .filter((r) => r.sync_state === 'sync' || r.sync_state === 'quorum')
    .map((r) => r.application_name);
  return { leader, dcsSyncStandby, pgSyncStandbys, ok: pgSyncStandbys.includes(dcsSyncStandby) };
}

export function describeSyncProblem(c: SyncReplicationCheck): string {
  return (
    `${c.leader}: synchronous replication is off (pg_stat_replication: ${c.pgSyncStandbys.length ? c.pgSyncStandbys.join(', ') : 'no sync standby'}) ` +
    `although the DCS names ${c.dcsSyncStandby} the synchronous standby: commits are acknowledged asynchronously`
  );
}

/**
 * Argv that makes Patroni re-assign its synchronous standby: deleting the DCS /sync key. The leader sees
 * "picked != current", sets synchronous_standby_names first and writes the key back within a loop
 * (Patroni's own ordering); meanwhile no standby is failover-eligible, which is the safe side.
 */
export function syncKeyResetCommand(scope: string, namespace = '/service/'): string[] {
  return ['env', 'ETCDCTL_API=3', 'etcdctl', 'del', `${namespace}${scope}/sync`];
}
