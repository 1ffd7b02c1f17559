import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  CommandFailedError,
  CommandTimeoutError,
  ConnectionLostError,
} from '../../../lib/nodes/exec-errors.js';
import { HostKeyRejectedError } from '../../../lib/nodes/host-key-pinning.js';
import { SshNode, type SshNodeOptions } from '../../../lib/nodes/ssh-node.js';
import { requireDocker } from '../../support/require-docker.js';
import { startTestLab, type TestLab } from './test-lab.js';

describe('SshNode (real sshd in a lab container)', function () {
  let lab: TestLab;
  let dir: string;
  let base: SshNodeOptions;
  const nodes: SshNode[] = [];
  const ssh = (extra: Partial<SshNodeOptions> = {}): SshNode => {
    const node = new SshNode({ ...base, ...extra });
    nodes.push(node);
    return node;
  };

  before(async function () {
    await requireDocker(this);
    this.timeout(600_000);
    lab = await startTestLab(['n1']);
    dir = mkdtempSync(join(tmpdir(), 'pxchaos-ssh-'));
    const keyPath = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
    const n1 = lab.node('n1');
    const pub = execFileSync('cat', [`${keyPath}.pub`], { encoding: 'utf8' });
    await n1.exec(
      [
        'sh',
        '-c',
        'mkdir -p -m 700 /root/.ssh && cat > /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys',
      ],
      { stdin: pub },
    );
    const hostKeys = await n1.exec(['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub']);
    const ip = await lab.ip('n1');
    writeFileSync(
      join(dir, 'known_hosts'),
      hostKeys.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => `${ip} ${l}`)
        .join('\n'),
    );
    base = { name: 'n1', host: ip, user: 'root', keyPath, knownHostsPath: join(dir, 'known_hosts') };
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await lab?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs argv with exit status, stdout and stderr, quoting every word', async () => {
    const node = ssh();
    const r = await node.exec(
      ['sh', '-c', 'printf "%s|" "$@"; echo err >&2; exit 4', 'sh', 'a b', `it's`, '$HOME'],
      { check: false },
    );
    expect(r).to.include({ stdout: `a b|it's|$HOME|`, stderr: 'err\n', exitCode: 4 });
    const err = await node.exec(['false']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CommandFailedError);
    expect((await node.exec(['cat'], { stdin: 'piped' })).stdout).to.equal('piped');
  });

  it('reuses one connection for successive calls', async () => {
    const node = ssh();
    const ports = new Set<string>();
    for (let i = 0; i < 3; i++)
      ports.add((await node.exec(['sh', '-c', 'echo $SSH_CLIENT'])).stdout.split(' ')[1] ?? '');
    expect(ports.size).to.equal(1);
  });

  it('enforces the deadline, on the node too', async () => {
    const node = ssh();
    const err = await node.exec(['sleep', '32'], { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CommandTimeoutError);
    const left = await lab.node('n1').exec(['pgrep', '-f', '[s]leep 32'], { check: false });
    expect(left.exitCode, left.stdout).to.equal(1);
  });

  it('pins host keys: a fingerprint or known_hosts entry is accepted, a wrong one refused', async () => {
    const fp = execFileSync(
      'sh',
      [
        '-c',
        `ssh-keygen -lf /dev/stdin <<EOF\n${(await lab.node('n1').exec(['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).stdout}EOF`,
      ],
      { encoding: 'utf8' },
    ).split(' ')[1]!;
    const pinned = ssh({ knownHostsPath: undefined, hostKeyFingerprint: fp });
    expect((await pinned.exec(['true'])).exitCode).to.equal(0);

    const wrongFp = ssh({
      knownHostsPath: undefined,
      hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    const err = await wrongFp.exec(['true']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(HostKeyRejectedError);
    expect((err as Error).message).to.include('refusing');

    const wrongKnown = join(dir, 'wrong_known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    writeFileSync(
      wrongKnown,
      `${base.host} ${execFileSync('cat', [join(dir, 'other.pub')], { encoding: 'utf8' })}`,
    );
    expect(
      await ssh({ knownHostsPath: wrongKnown })
        .exec(['true'])
        .catch((e: unknown) => e),
    ).to.be.instanceOf(HostKeyRejectedError);

    const unpinned = ssh({ knownHostsPath: undefined });
    expect(await unpinned.exec(['true']).catch((e: unknown) => e)).to.be.instanceOf(HostKeyRejectedError);
    expect(
      (await ssh({ knownHostsPath: undefined, allowUnknownHostKey: true }).exec(['true'])).exitCode,
    ).to.equal(0);
  });

  it('fails in seconds with ConnectionLostError when the node drops SSH, and reconnects after', async function () {
    const node = ssh();
    await node.exec(['true']);
    const docker = lab.node('n1');
    await docker.exec(['iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'DROP']);
    try {
      // A 60 s deadline: only keepalive detection can end this call with ConnectionLostError.
      const err = await node.exec(['sleep', '1'], { timeoutMs: 60_000 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConnectionLostError);
    } finally {
      await docker.exec(['iptables', '-D', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'DROP']);
    }
    expect((await node.exec(['echo', 'back'])).stdout).to.equal('back\n');
  });

  it('reports a refused connection as ConnectionLostError', async () => {
    const err = await ssh({ port: 2 })
      .exec(['true'])
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConnectionLostError);
    expect((err as Error).message).to.match(/cannot connect/);
  });
});
