import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';

/** The host presented a key that is not pinned (or no pin was configured): the connection is refused. */
export class HostKeyRejectedError extends EnvironmentError {}

export interface HostKeyPolicy {
  /** Path of an OpenSSH known_hosts file. */
  readonly knownHostsPath?: string;
  /** Pinned fingerprint, "SHA256:<base64 without padding>" as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint?: string;
  /** Explicit opt-out: accept any key (logged by the caller). */
  readonly allowUnknownHostKey?: boolean;
}

/** OpenSSH's fingerprint of a public key blob (the SSH wire format of the key). */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The name a known_hosts line uses for host:port ("host" on port 22, "[host]:port" otherwise). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Does one known_hosts host field (comma list, globs, negations, or a hashed |1|salt|hash) match? */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (globToRegExp(pattern).test(name)) {
      matched = true;
    }
  }
  return matched;
}

export interface KnownHostKeys {
  readonly accepted: Buffer[];
  readonly revoked: Buffer[];
}

/** The keys known_hosts text lists for a host (plain lines; @cert-authority lines are not supported). */
export function knownKeysFor(knownHostsText: string, host: string, port: number): KnownHostKeys {
  const name = knownHostsName(host, port);
  const accepted: Buffer[] = [];
  const revoked: Buffer[] = [];
  for (const raw of knownHostsText.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]?.startsWith('@')) marker = fields.shift();
    const [hosts, , keyBase64] = fields;
    if (!hosts || !keyBase64 || marker === '@cert-authority') continue;
    if (!hostFieldMatches(hosts, name)) continue;
    (marker === '@revoked' ? revoked : accepted).push(Buffer.from(keyBase64, 'base64'));
  }
  return { accepted, revoked };
}

/**
 * Builds the check ssh2's `hostVerifier` runs on the raw key blob. It returns a reason string when
 * the key must be refused, undefined when it is accepted. Without any pin configured, every key is
 * refused unless `allowUnknownHostKey` is set: an unpinned SSH connection is open to impersonation.
 */
export function hostKeyChecker(
  host: string,
  port: number,
  policy: HostKeyPolicy,
): (keyBlob: Buffer) => string | undefined {
  const { knownHostsPath, hostKeyFingerprint, allowUnknownHostKey } = policy;
  if (!knownHostsPath && !hostKeyFingerprint) {
    return (key) =>
      allowUnknownHostKey
        ? undefined
        : `${host}:${port} presented ${sha256Fingerprint(key)} but no host key is pinned; ` +
          'set knownHostsPath or hostKeyFingerprint (or allowUnknownHostKey to opt out)';
  }
  let known: KnownHostKeys | undefined;
  if (knownHostsPath) {
    let text: string;
    try {
      text = readFileSync(knownHostsPath, 'utf8');
    } catch (err) {
      throw new HostKeyRejectedError(`cannot read known_hosts ${knownHostsPath}: ${(err as Error).message}`);
    }
    known = knownKeysFor(text, host, port);
  }
  return (key) => {
    const fingerprint = sha256Fingerprint(key);
    if (known?.revoked.some((k) => k.equals(key)))
      return `${host}:${port} presented a revoked host key ${fingerprint}`;
    if (hostKeyFingerprint && fingerprint === hostKeyFingerprint.replace(/=+$/, '')) return undefined;
    if (known?.accepted.some((k) => k.equals(key))) return undefined;
    // A key that contradicts a pin is refused even with the opt-out: that is the impersonation case.
    const contradicted = Boolean(hostKeyFingerprint) || (known?.accepted.length ?? 0) > 0;
    if (allowUnknownHostKey && !contradicted) return undefined;
    const expected = hostKeyFingerprint
      ? `pinned ${hostKeyFingerprint}`
      : `no matching key in ${knownHostsPath}`;
    return `${host}:${port} presented host key ${fingerprint}, ${expected}: refusing to connect`;
  };
}
