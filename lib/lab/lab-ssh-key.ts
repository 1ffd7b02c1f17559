import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultStateDir } from '../faults/journal.js';
import { ensureSshKeyPair, type SshKeyPair } from '../nodes/ssh-key-pair.js';

/** Per-lab state on the harness host (the SSH key; nothing else: passwords stay in the containers' env). */
export function labStateDir(lab: string): string {
  return join(defaultStateDir(), 'labs', lab);
}

export type LabSshKey = SshKeyPair;

/** The lab's SSH key pair, created on first use (ed25519, OpenSSH format). */
export function ensureLabSshKey(lab: string): Promise<LabSshKey> {
  return ensureSshKeyPair(labStateDir(lab), `pxchaos-lab-${lab}`);
}

export async function removeLabState(lab: string): Promise<void> {
  await rm(labStateDir(lab), { recursive: true, force: true });
}
