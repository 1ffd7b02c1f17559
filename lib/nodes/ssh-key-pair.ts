import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export interface SshKeyPair {
  /** Private key file (mode 0600), for SshNode's keyPath. */
  readonly keyPath: string;
  /** OpenSSH public key line, for the nodes' authorized_keys. */
  readonly publicKey: string;
}

/** An ed25519 key pair in OpenSSH format kept in `dir` (id_ed25519[.pub]), created on first use. */
export async function ensureSshKeyPair(dir: string, comment: string): Promise<SshKeyPair> {
  const keyPath = join(dir, 'id_ed25519');
  const pubPath = `${keyPath}.pub`;
  const existing = await readFile(pubPath, 'utf8').catch(() => undefined);
  if (existing && (await readFile(keyPath).catch(() => undefined)))
    return { keyPath, publicKey: existing.trim() };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  await writeFile(keyPath, pair.private, { mode: 0o600 });
  await writeFile(pubPath, `${pair.public.trim()}\n`, { mode: 0o644 });
  return { keyPath, publicKey: pair.public.trim() };
}
