import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  hostFieldMatches,
  hostKeyChecker,
  knownHostsName,
  knownKeysFor,
  sha256Fingerprint,
} from '../../../lib/nodes/host-key-pinning.js';

const keyA = randomBytes(51);
const keyB = randomBytes(51);

describe('host key pinning', () => {
  it('computes OpenSSH SHA256 fingerprints without padding', () => {
    expect(sha256Fingerprint(keyA)).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('names non-22 ports like OpenSSH', () => {
    expect(knownHostsName('10.0.0.1', 22)).to.equal('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).to.equal('[10.0.0.1]:2222');
  });

  it('matches plain, glob, negated and hashed host fields', () => {
    expect(hostFieldMatches('a.example,10.0.0.1', '10.0.0.1')).to.be.true;
    expect(hostFieldMatches('*.lab', 'n1.lab')).to.be.true;
    expect(hostFieldMatches('*.lab,!n2.lab', 'n2.lab')).to.be.false;
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('10.0.0.9').digest('base64');
    expect(hostFieldMatches(`|1|${salt.toString('base64')}|${hash}`, '10.0.0.9')).to.be.true;
    expect(hostFieldMatches(`|1|${salt.toString('base64')}|${hash}`, '10.0.0.8')).to.be.false;
  });

  it('reads accepted and revoked keys for a host', () => {
    const text = [
      '# comment',
      `10.0.0.1 ssh-ed25519 ${keyA.toString('base64')} root@n1`,
      `@revoked 10.0.0.1 ssh-ed25519 ${keyB.toString('base64')}`,
      `10.0.0.2 ssh-ed25519 ${keyB.toString('base64')}`,
    ].join('\n');
    const known = knownKeysFor(text, '10.0.0.1', 22);
    expect(known.accepted.map((k) => k.equals(keyA))).to.deep.equal([true]);
    expect(known.revoked.map((k) => k.equals(keyB))).to.deep.equal([true]);
  });

  it('accepts the pinned key and refuses another, also with the opt-out', () => {
    const check = hostKeyChecker('h', 22, { hostKeyFingerprint: sha256Fingerprint(keyA) });
    expect(check(keyA)).to.be.undefined;
    expect(check(keyB)).to.match(/presented host key SHA256:.*pinned/);
    const optedOut = hostKeyChecker('h', 22, {
      hostKeyFingerprint: sha256Fingerprint(keyA),
      allowUnknownHostKey: true,
    });
    expect(optedOut(keyB)).to.be.a('string');
  });

  it('checks a known_hosts file; unknown hosts pass only with the opt-out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxchaos-kh-'));
    const path = join(dir, 'known_hosts');
    writeFileSync(path, `[h]:2222 ssh-ed25519 ${keyA.toString('base64')}\n`);
    expect(hostKeyChecker('h', 2222, { knownHostsPath: path })(keyA)).to.be.undefined;
    expect(hostKeyChecker('h', 2222, { knownHostsPath: path })(keyB)).to.be.a('string');
    expect(hostKeyChecker('other', 22, { knownHostsPath: path })(keyA)).to.be.a('string');
    expect(hostKeyChecker('other', 22, { knownHostsPath: path, allowUnknownHostKey: true })(keyA)).to.be
      .undefined;
  });

  it('refuses every key when nothing is pinned, unless opted out', () => {
    expect(hostKeyChecker('h', 22, {})(keyA)).to.match(/no host key is pinned/);
    expect(hostKeyChecker('h', 22, { allowUnknownHostKey: true })(keyA)).to.be.undefined;
  });
});
