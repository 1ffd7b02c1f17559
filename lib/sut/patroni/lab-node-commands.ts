import type { AgentCommands, DriveCommands } from '../sut.js';

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
