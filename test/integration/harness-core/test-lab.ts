import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, dockerOk } from '../../../lib/docker/docker-cli.js';
import { ensureLabImage } from '../../../lib/lab/lab-image.js';
import { DockerExecNode } from '../../../lib/nodes/docker-exec-node.js';
import type { SshNodeOptions } from '../../../lib/nodes/ssh-node.js';

/** Label on every container/network these tests create, for cleanup. */
export const TEST_LABEL = 'pxchaos.test=harness-core';

/** Starts sshd and idles: the lab image's own entrypoint is being replaced by the Patroni start-up. */
const IDLE_WITH_SSHD = 'mkdir -p /run/sshd; ssh-keygen -A >/dev/null; /usr/sbin/sshd; exec sleep infinity';

export interface TestLab {
  readonly lab: string;
  readonly network: string;
  readonly image: string;
  /** node name → container name */
  readonly containers: ReadonlyMap<string, string>;
  node(name: string): DockerExecNode;
  ip(name: string): Promise<string>;
  remove(): Promise<void>;
}

/** A few lab-image containers on their own network, labelled like a real lab but under a unique lab name. */
export async function startTestLab(nodeNames: readonly string[] = ['n1', 'n2', 'n3']): Promise<TestLab> {
  const image = await ensureLabImage();
  const lab = `core-${randomBytes(3).toString('hex')}`;
  const network = `pxchaos-test-${lab}`;
  const containers = new Map<string, string>();
  const remove = async (): Promise<void> => {
    const ids = (
      await docker(['ps', '-aq', '--filter', `label=pxchaos.lab=${lab}`], { timeoutMs: 30_000 })
    ).stdout
      .split(/\s+/)
      .filter(Boolean);
    if (ids.length) await docker(['rm', '-f', ...ids], { timeoutMs: 60_000 });
    await docker(['network', 'rm', network], { timeoutMs: 30_000 });
  };
  try {
    await dockerOk(['network', 'create', '--label', TEST_LABEL, network], { timeoutMs: 30_000 });
    await Promise.all(
      nodeNames.map(async (name) => {
        const container = `pxchaos-test-${lab}-${name}`;
        await dockerOk(
          [
            'run',
            '-d',
            '--name',
            container,
            '--hostname',
            name,
            '--network',
            network,
            '--cap-add',
            'NET_ADMIN',
            '--label',
            TEST_LABEL,
            '--label',
            `pxchaos.lab=${lab}`,
            '--label',
            `pxchaos.node=${name}`,
            '--entrypoint',
            '/usr/bin/tini',
            image,
            '--',
            'bash',
            '-c',
            IDLE_WITH_SSHD,
          ],
          { timeoutMs: 60_000 },
        );
        containers.set(name, container);
      }),
    );
    // sshd is up once it listens on 22.
    for (const container of containers.values()) {
      await dockerOk(
        [
          'exec',
          container,
          'bash',
          '-c',
          'for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && exit 0; sleep 0.1; done; exit 1',
        ],
        { timeoutMs: 30_000 },
      );
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    lab,
    network,
    image,
    containers,
    node: (name) => new DockerExecNode(name, containers.get(name) ?? `missing-${name}`),
    ip: async (name) =>
      (
        await dockerOk(
          [
            'inspect',
            '--format',
            '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
            containers.get(name) ?? name,
          ],
          { timeoutMs: 15_000 },
        )
      ).trim(),
    remove,
  };
}

/**
 * Lets root log in on a node with a fresh key; returns SshNode options pinned to the node's
 * host keys through a known_hosts file in `dir`.
 */
export async function enableSsh(lab: TestLab, name: string, dir: string): Promise<SshNodeOptions> {
  const keyPath = join(dir, 'id_ed25519');
  if (!existsSync(keyPath)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
  const node = lab.node(name);
  await node.exec(
    [
      'sh',
      '-c',
      'mkdir -p -m 700 /root/.ssh && cat > /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys',
    ],
    {
      stdin: readFileSync(`${keyPath}.pub`, 'utf8'),
    },
  );
  const ip = await lab.ip(name);
  const hostKeys = (await node.exec(['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub'])).stdout
    .split('\n')
    .filter(Boolean);
  const knownHostsPath = join(dir, `known_hosts_${name}`);
  writeFileSync(knownHostsPath, hostKeys.map((l) => `${ip} ${l}\n`).join(''));
  return { name, host: ip, user: 'root', keyPath, knownHostsPath };
}
