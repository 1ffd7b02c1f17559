import { dockerOk } from '../docker/docker-cli.js';
import type { KubeLabNodeLayout } from './kube-lab-layout.js';
import {
  KIND_CLUSTER_LABEL,
  KIND_ROLE_LABEL,
  KUBE_LAB_LABEL,
  POSTGRES_IMAGE_LABEL,
  SEED_LABEL,
} from './kube-lab-layout.js';

/**
 * What a node container needs instead of --privileged (which fails on these hosts: the bounding
 * set lacks CAP_SYS_RESOURCE). Docker 20.10 rejects CAP_BPF. See docs/kube-lab.md.
 */
export function nodeRunSecurityArgs(): string[] {
  const caps = [
    'SYS_ADMIN',
    'NET_ADMIN',
    'NET_RAW',
    'SYS_PTRACE',
    'SYS_RAWIO',
    'SYS_NICE',
    'IPC_LOCK',
    'IPC_OWNER',
    'DAC_READ_SEARCH',
    'LINUX_IMMUTABLE',
    'SYSLOG',
    'NET_BROADCAST',
    'AUDIT_CONTROL',
    'AUDIT_READ',
    'SYS_CHROOT',
  ];
  return [
    ...caps.flatMap((c) => ['--cap-add', c]),
    '--security-opt',
    'seccomp=unconfined',
    '--security-opt',
    'apparmor=unconfined',
    '--cgroupns=private',
    // Privileged pods (kube-proxy) write devices.allow; loop devices and FUSE are made in /dev.
    '--device-cgroup-rule',
    'a *:* rwm',
    '--device',
    '/dev/fuse',
  ];
}

export interface KubeNodeRunSpec {
  readonly lab: string;
  readonly node: KubeLabNodeLayout;
  readonly image: string;
  readonly network: string;
  readonly seedVolume: string;
  /** The PostgreSQL image in that seed (found again by `--target kind` through a label). */
  readonly postgresImage: string;
  readonly authorizedKey: string;
  /** Other nodes' pod ranges: CIDR=IP. */
  readonly routes: readonly string[];
  readonly brickSize: string;
}

/** `docker run` argv of one node container (kind's names and labels, plus pxchaos.kube-lab). */
export function nodeRunArgs(spec: KubeNodeRunSpec): string[] {
  const { lab, node } = spec;
  const env: Record<string, string> = {
    PXKUBE_NODE: node.name,
    PXKUBE_ROLE: node.role,
    PXKUBE_POD_CIDR: node.podCidr,
    PXKUBE_ROUTES: spec.routes.join(' '),
    PXKUBE_AUTHORIZED_KEY: spec.authorizedKey,
    ...(node.role === 'worker' && {
      // Named after lab and node: `losetup -a` on the host tells whose loop device it is.
      PXKUBE_BRICK_FILE: brickFile(node.name),
      PXKUBE_BRICK_SIZE: spec.brickSize,
    }),
  };
  return [
    'run',
    '-d',
    '--name',
    node.name,
    '--hostname',
    node.name,
    '--label',
    `${KIND_CLUSTER_LABEL}=${lab}`,
    '--label',
    `${KIND_ROLE_LABEL}=${node.role}`,
    '--label',
    `${KUBE_LAB_LABEL}=${lab}`,
    // The image store it was seeded from: a lab seeded from older images is recreated.
    '--label',
    `${SEED_LABEL}=${spec.seedVolume}`,
    '--label',
    `${POSTGRES_IMAGE_LABEL}=${spec.postgresImage}`,
    '--network',
    spec.network,
    '--ip',
    node.ip,
    ...nodeRunSecurityArgs(),
    '--device',
    '/dev/kmsg',
    '--sysctl',
    'net.ipv4.ip_forward=1',
    '--tmpfs',
    '/run:exec',
    '--tmpfs',
    '/tmp',
    // containerd's overlayfs snapshots cannot sit on the container's overlay root.
    '-v',
    `${node.volume}:/var`,
    '-v',
    `${spec.seedVolume}:/seed:ro`,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    spec.image,
  ];
}

export function brickFile(node: string): string {
  return `/var/lib/pxkube/pxchaos-brick-${node}.img`;
}

export async function startNodeContainer(spec: KubeNodeRunSpec, signal?: AbortSignal): Promise<void> {
  await dockerOk(['volume', 'create', '--label', `${KUBE_LAB_LABEL}=${spec.lab}`, spec.node.volume], {
    timeoutMs: 30_000,
    ...(signal && { signal }),
  });
  await dockerOk(nodeRunArgs(spec), { timeoutMs: 120_000, ...(signal && { signal }) });
}
