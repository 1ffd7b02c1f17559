import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { defaultStateDir } from '../faults/journal.js';

/** Per-lab state on the harness host (the SSH key; nothing else: passwords stay in the containers' env). */
export function labStateDir(lab: string): string {
  return join(defaultStateDir(), 'labs', lab);
}

export interface LabSshKey {
  /** Private key file (mode 0600), for SshNode's keyPath. */
  readonly keyPath: string;
  /** OpenSSH public key line, for the nodes' authorized_keys. */
  readonly publicKey: string;
}

/** The lab's SSH key pair, created on first use (ed25519, OpenSSH format). */
export async function ensureLabSshKey(lab: string): Promise<LabSshKey> {
  const dir = labStateDir(lab);
  const keyPath = join(dir, 'id_ed25519');
  const pubPath = `${keyPath}.pub`;
  const existing = await readFile(pubPath, 'utf8').catch(() => undefined);
  if (existing && (await readFile(keyPath).catch(() => undefined)))
    return { keyPath, publicKey: existing.trim() };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: `pxchaos-lab-${lab}` });
  await writeFile(keyPath, pair.private, { mode: 0o600 });
  await writeFile(pubPath, `${pair.public.trim()}\n`, { mode: 0o644 });
  return { keyPath, publicKey: pair.public.trim() };
}

export async function removeLabState(lab: string): Promise<void> {
  await rm(labStateDir(lab), { recursive: true, force: true });
}
