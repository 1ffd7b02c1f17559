import type { AgentCommands, DriveCommands, SutFaultCommands } from '../sut.js';

/** The lab node's Patroni (lib/lab/image: pxlab-agent), as argv arrays: journaled and replayed by heal. */
export const LAB_AGENT: AgentCommands = {
  kill: ['pxlab-agent', 'kill'],
  stop: ['pxlab-agent', 'stop'],
  start: ['pxlab-agent', 'start'],
  status: ['pxlab-agent', 'status'],
};

/** The lab node's data drive, a FUSE passthrough under PGDATA (pxlab-drive). */
export const LAB_DRIVE: DriveCommands = {
  hang: ['pxlab-drive', 'hang'],
  error: ['pxlab-drive', 'error'],
  restore: ['pxlab-drive', 'restore'],
  status: ['pxlab-drive', 'status'],
};

/** Postgres, which Patroni runs on every lab node: a lab partition is verified on it. */
export const LAB_PARTITION_PROBE_PORT = 5432;

/** The lab's side of its faults, the same argv on every node (the scripts are in the lab image). */
export const LAB_FAULT_COMMANDS: SutFaultCommands = {
  agentCommands: () => LAB_AGENT,
  driveCommands: () => LAB_DRIVE,
  partitionProbePort: LAB_PARTITION_PROBE_PORT,
};
