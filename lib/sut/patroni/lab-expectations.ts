import type { FullExpectations, PlacedExpectations } from '../expectations.js';

/**
 * What the lab (Patroni 3.0.2 + etcd 3.4 + PostgreSQL 15, Debian bookworm; ttl 20 s, loop_wait 2 s,
 * retry_timeout 5 s, primary_start_timeout 10 s, synchronous_mode on) does when the fault hits the
 * leader's node. Figures: Patroni's timing rules, checked against runs on the 2-core dev machine
 * (docs/lab.md has the measured table and the reasoning).
 */
export const LAB_EXPECTATIONS: FullExpectations = {
  'network-partition': {
    // Worst case when the cut node also hosts the etcd leader: etcd election (election timeout 2 s + ~0.5 s)
    // → the new etcd leader renews every lease to ttl + election timeout (20 + 2 s) → replicas probe the
    // unreachable old leader's REST API (2 s connect timeout) → promote (~1 s): ~28 s. Measured 28.5 s.
    recoveryWithinMs: 45_000,
    failedWritesAllowed: true,
    primaryMoves: true,
    holdMs: 40_000,
    source:
      'Patroni docs (ttl, loop_wait + 2×retry_timeout ≤ ttl) + etcd lease promotion on leader change; measured 28.5 s leader change, 28.0 s RTO (docs/lab.md)',
    notes:
      'The old leader demotes itself after retry_timeout without etcd; after heal it rejoins as a replica via pg_rewind. Writes in flight on the cut node end as unknown (client timeouts), none acknowledged there.',
  },
  'agent-restart-within-grace': {
    // Patroni SIGKILLed (Postgres keeps running), started again after holdMs: the leader key (ttl 20 s,
    // last renewed ≤ loop_wait before the kill) survives if Patroni renews it within ttl - loop_wait - ~1 s start.
    recoveryWithinMs: 10_000,
    failedWritesAllowed: false,
    primaryMoves: false,
    holdMs: 8_000,
    source:
      'Patroni ttl 20 s - loop_wait 2 s - ~1 s Patroni start; measured: no leader change, 0 failed writes, max write latency 0.2 s (docs/lab.md)',
    notes:
      'Patroni 3.0.2 drops synchronous_standby_names when it restarts beside a running primary and never restores it: commits go asynchronous until the DCS /sync key changes. The patroni SUT reports it (health, sync-replication-off event) and settle() repairs it by resetting the /sync key.',
  },
  'agent-down-past-grace': {
    // Patroni SIGKILLed and kept down: the leader key expires ttl after its last renewal, the sync standby
    // (woken by the etcd watch) promotes: ≤ ttl + ~2 s. Measured 19.0-20.4 s leader change, 19.3-21.1 s RTO.
    recoveryWithinMs: 40_000,
    failedWritesAllowed: true,
    primaryMoves: true,
    holdMs: 40_000,
    source: 'Patroni docs (leader key ttl); measured 19.0-20.4 s leader change (docs/lab.md)',
    notes:
      'Use the agent kill command (SIGKILL): stopping Patroni (SIGTERM) shuts Postgres down and releases the key at once, a switchover. The old primary keeps running but a commit there waits for its sync standby forever (never acknowledged); when Patroni returns it demotes and rejoins via pg_rewind.',
  },
  'drive-offline': {
    // error: Postgres PANICs on the WAL write, Patroni finds the data dir unreadable, treats it as empty and
    // releases the leader key at once: failover in ~1.5 s. hang: Patroni's HA loop blocks on Postgres, the
    // key expires: failover after ~ttl (measured 22.7 s).
    recoveryWithinMs: 40_000,
    failedWritesAllowed: true,
    primaryMoves: 'either',
    holdMs: 40_000,
    source: 'measured: error → leader change 1.5 s, RTO 1.3 s; hang → leader change 22.7 s (docs/lab.md)',
    notes:
      'hang: on restore the stalled old leader resumes and overwrites the new leader key (Patroni 3.0.2 etcd3 bug, fixed in 3.0.3 by patroni/patroni#2689): the primary moves back and writes acknowledged by the interim leader are lost (measured: 189). error: the node re-clones itself with pg_basebackup after restore.',
  },
};

/**
 * When the fault hits a replica: the synchronous standby (lib/sut/patroni/patroni-node-roles.ts picks
 * it first, on purpose: a commit waits for it, so its loss is the one the writes feel; an async
 * replica's loss changes nothing for them). The primary stays on its node; the sync standby is
 * replaced in synchronous_standby_names only once Patroni sees it gone (Patroni docs,
 * patroni.postgresql.sync: "current synchronous standby is always preferred, unless it has
 * disconnected"; the lab runs synchronous_mode, not strict, synchronous_node_count 1). The lab has
 * no bystander: every node is a Patroni member with a full copy, so that placement is refused
 * (placement.ts). Figures measured on the lab, 2026-12-02 (2-core machine, writes 20/s).
 */
export const LAB_PLACED_EXPECTATIONS: PlacedExpectations = {
  replica: {
    'network-partition': {
      // The cut sync standby held the etcd leader: etcd's election made the leader's Patroni miss
      // retry_timeout (5 s), it demoted itself ("DCS is not accessible"), and Postgres' shutdown then
      // waited for the walsender to the cut standby until wal_sender_timeout (60 s, Postgres' default);
      // Patroni restarted it, promoted it again on the same node (its leader key held) and named the
      // other replica the sync standby. Measured: primary kept on n1 (timeline 5 → 6), every write
      // failed for 59 s, RTO 64.2 s, 151 failed, 6 unknown (all committed), none lost. Where the etcd
      // leader is elsewhere, commits wait only until the standby's member key expires (ttl 20 s) and
      // Patroni names the other replica: measured a 20.3 s write stall, RTO 17.4 s, 0 failed, 16 unknown
      // (all committed), none lost.
      recoveryWithinMs: 90_000,
      failedWritesAllowed: true,
      primaryMoves: false,
      holdMs: 40_000,
      source:
        'measured on the lab, 2026-12-02: RTO 17.4 s (0 failed / 16 unknown writes) and, with the etcd leader on the cut node, 64.2 s (151 failed / 6 unknown, primary re-promoted in place); primary kept, none lost; Patroni ttl 20 s, retry_timeout 5 s, Postgres wal_sender_timeout 60 s; Patroni docs (patroni.postgresql.sync)',
      notes:
        'Writes fail while the primary waits for a standby it cannot reach; no acknowledged write is lost (commits wait for the sync standby). With the etcd leader on the cut node the primary also restarts (a demotion while the DCS elects a new leader).',
    },
    'agent-restart-within-grace': {
      // Patroni killed on the sync standby, its Postgres keeps streaming: the leader sees nothing.
      recoveryWithinMs: 10_000,
      failedWritesAllowed: false,
      primaryMoves: false,
      holdMs: 8_000,
      source:
        'measured on the lab, 2026-12-02 (2 runs): 0 failed / 0 unknown writes, longest write 0.8 s, RTO 0 and 2.8 s (availability-probe timeouts), primary kept; the standby keeps streaming while its Patroni is down',
    },
    'agent-down-past-grace': {
      // The standby's member key expires after ttl (20 s); the leader names the other replica its sync
      // standby (a commit stall of ~1.5 s); the standby's Postgres streams on meanwhile.
      recoveryWithinMs: 60_000,
      failedWritesAllowed: false,
      primaryMoves: false,
      holdMs: 40_000,
      source:
        'measured on the lab, 2026-12-02 (2 runs): 0 failed / 0 unknown writes, longest stall 1.5 s, RTO 0 and 34.5 s (availability-probe timeouts under load), primary kept; Patroni ttl 20 s',
    },
    'drive-offline': {
      // error: the standby's Postgres fails on its WAL write and stops streaming; the leader names the
      // other replica the sync standby within a loop or two; after the restore the standby re-clones
      // itself (pg_basebackup).
      recoveryWithinMs: 60_000,
      failedWritesAllowed: false,
      primaryMoves: false,
      holdMs: 40_000,
      source:
        "measured on the lab, 2026-12-02 (driveMode error, 2 runs): 0 failed / 0 unknown writes during the fault (1 failed, 1 unknown at the restore, the heal's doing), longest stall 2.4 s, RTO 0 and 45.8 s (availability-probe timeouts while the standby re-clones), primary kept",
      notes: 'The standby re-clones itself with pg_basebackup after the restore: settled in 24.5 s.',
    },
  },
};
