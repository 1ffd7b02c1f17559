import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { dockerOk } from '../docker/docker-cli.js';
import { defaultStateDir } from '../faults/journal.js';
import { ensureSshKeyPair, type SshKeyPair } from '../nodes/ssh-key-pair.js';
import type { KubeLabLayout } from './kube-lab-layout.js';

/** Where a kube lab's host-side files live: kubeconfig, SSH key, vm-target inventory. */
export function kubeLabStateDir(name: string): string {
  return join(defaultStateDir(), 'kube-labs', name);
}

export const kubeLabContext = (name: string): string => `kind-${name}`;

export interface KubeLabAccessFiles {
  readonly kubeconfig: string;
  readonly context: string;
  /** A pxchaos config fragment: the `vm` section (kubeconfig, context, SSH inventory) for `--target vm`. */
  readonly inventory: string;
  readonly sshKeyPath: string;
}

export function kubeLabAccessPaths(name: string): KubeLabAccessFiles {
  const dir = kubeLabStateDir(name);
  return {
    kubeconfig: join(dir, 'kubeconfig'),
    context: kubeLabContext(name),
    inventory: join(dir, 'vm-inventory.yaml'),
    sshKeyPath: join(dir, 'id_ed25519'),
  };
}

export function ensureKubeLabSshKey(name: string): Promise<SshKeyPair> {
  return ensureSshKeyPair(kubeLabStateDir(name), `pxchaos-kube-lab-${name}`);
}

interface Kubeconfig {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

/**
 * kubeadm's admin.conf, renamed the way kind names things (cluster, user and context
 * `kind-<name>`); its server is the control plane's address on the lab network, reachable from the host.
 */
export function renameKubeconfig(adminConf: string, name: string): string {
  const config = parse(adminConf) as Kubeconfig;
  const context = kubeLabContext(name);
  const cluster = config.clusters[0];
  const user = config.users[0];
  if (!cluster || !user) throw new Error('admin.conf has no cluster or user');
  return stringify({
    ...config,
    clusters: [{ name: context, cluster: cluster.cluster }],
    users: [{ name: context, user: user.user }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    'current-context': context,
  });
}

/** Host key fingerprint as `ssh-keygen -lf` prints it (sshd offers the ed25519 key only). */
async function hostKeyFingerprint(container: string): Promise<string> {
  const out = await dockerOk(['exec', container, 'ssh-keygen', '-lf', '/etc/ssh/ssh_host_ed25519_key.pub'], {
    timeoutMs: 15_000,
  });
  const fp = /SHA256:[A-Za-z0-9+/]+/.exec(out)?.[0];
  if (!fp) throw new Error(`${container}: no host key fingerprint in '${out.trim()}'`);
  return fp;
}

/** Writes the kubeconfig (mode 0600) and the vm-target inventory; returns their paths. */
export async function writeKubeLabAccess(
  layout: KubeLabLayout,
  kubeconfigOut?: string,
): Promise<KubeLabAccessFiles> {
  const paths = kubeLabAccessPaths(layout.name);
  const admin = await dockerOk(['exec', layout.controlPlane.name, 'cat', '/etc/kubernetes/admin.conf'], {
    timeoutMs: 15_000,
  });
  const kubeconfig = renameKubeconfig(admin, layout.name);
  await mkdir(dirname(paths.kubeconfig), { recursive: true, mode: 0o700 });
  await writeFile(paths.kubeconfig, kubeconfig, { mode: 0o600 });
  if (kubeconfigOut) {
    await mkdir(dirname(kubeconfigOut), { recursive: true });
    await writeFile(kubeconfigOut, kubeconfig, { mode: 0o600 });
  }
  const inventory = await Promise.all(
    layout.nodes.map(async (n) => ({
      name: n.name,
      host: n.ip,
      port: 22,
      user: 'root',
      keyPath: paths.sshKeyPath,
      hostKeyFingerprint: await hostKeyFingerprint(n.name),
    })),
  );
  const header = `# SSH inventory of kube lab '${layout.name}' for the vm target (written by pxchaos kube-lab up).\n# Use it as a pxchaos config file or copy its vm section: pxchaos run --config ${paths.inventory}\n# The lab's storage is GlusterFS, hence kube.sut gluster (the vm target's default is portworx).\n`;
  await writeFile(
    paths.inventory,
    header +
      stringify({
        target: 'vm',
        kube: { sut: 'gluster' },
        vm: { kubeconfig: paths.kubeconfig, context: paths.context, inventory },
      }),
    { mode: 0o600 },
  );
  return paths;
}

export async function removeKubeLabState(name: string): Promise<void> {
  await rm(kubeLabStateDir(name), { recursive: true, force: true });
}
