import { UsageError } from '../errors.js';

/** kind's own labels, so kind-aware tools (and `--target kind`) find the kube lab's nodes. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
export const KIND_ROLE_LABEL = 'io.x-k8s.kind.role';
export const KUBE_LAB_LABEL = 'pxchaos.kube-lab';
/** Repository of the kube lab's PostgreSQL image; the tag is its build context's content hash (kube-images.ts). */
export const POSTGRES_IMAGE_REPO = 'pxchaos/postgres';
/** On seed volumes (their key) and on nodes (the seed volume they started from). */
export const SEED_LABEL = 'pxchaos.kube-images';
/** On every node container: the PostgreSQL image its containerd holds (the StatefulSet's default image). */
export const POSTGRES_IMAGE_LABEL = 'pxchaos.postgres-image';

export const DEFAULT_KUBE_LAB_NAME = 'pxchaos';
export const MIN_WORKERS = 3;
export const MAX_WORKERS = 6;
/** Pod ranges: 10.244.<node index>.0/24, routed statically between the node containers. */
export const POD_SUBNET = '10.244.0.0/16';
export const SERVICE_SUBNET = '10.96.0.0/16';

export type KubeNodeRole = 'control-plane' | 'worker';

export interface KubeLabNodeLayout {
  /** Container name = hostname = Kubernetes node name, as kind names them. */
  readonly name: string;
  readonly role: KubeNodeRole;
  readonly index: number;
  readonly ip: string;
  readonly podCidr: string;
  /** Named volume on the node's /var. */
  readonly volume: string;
}

export interface KubeLabLayout {
  readonly name: string;
  readonly network: string;
  readonly subnet: string;
  readonly nodes: readonly KubeLabNodeLayout[];
  readonly controlPlane: KubeLabNodeLayout;
  readonly workers: readonly KubeLabNodeLayout[];
}

/** kind's rule for cluster names (they become container and host names): lowercase DNS labels. */
export function validateKubeLabName(name: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(name))
    throw new UsageError(
      `kube-lab name '${name}': use 1-32 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  return name;
}

export function validateWorkers(workers: number): number {
  if (!Number.isInteger(workers) || workers < MIN_WORKERS || workers > MAX_WORKERS)
    throw new UsageError(
      `--workers must be a whole number from ${MIN_WORKERS} to ${MAX_WORKERS} (Gluster keeps 3 replicas, one per worker), not ${String(workers)}`,
    );
  return workers;
}

/** Node names as kind gives them: <name>-control-plane, <name>-worker, <name>-worker2, ... */
export function kubeNodeNames(name: string, workers: number): string[] {
  return [
    `${name}-control-plane`,
    ...Array.from({ length: workers }, (_, i) => `${name}-worker${i === 0 ? '' : String(i + 1)}`),
  ];
}

/** The first two octets of every kube lab subnet (see kubeLabLayout). */
export const KUBE_LAB_SUBNET_PREFIX = '10.229';

/**
 * The lab's addresses. The Docker network needs a subnet of our own for fixed node IPs (a node
 * that is restarted keeps its address, which kubeadm wrote into certificates and kubeconfigs):
 * 10.229.<k>.0/24 with k from the name, moved on by `attempt` when Docker says it overlaps.
 * The range lies outside Docker's default address pools (172.17–172.31/16, 192.168/16), from which
 * the lab's own network and every un-addressed network are drawn — a /16 taken from there once
 * covered every candidate subnet — and outside the pod (10.244/16) and service (10.96/12) ranges.
 */
export function kubeLabLayout(name: string, workers: number, attempt = 0): KubeLabLayout {
  validateKubeLabName(name);
  validateWorkers(workers);
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 240;
  const octet = (h + attempt * 7) % 240;
  const subnet = `${KUBE_LAB_SUBNET_PREFIX}.${octet}.0/24`;
  const nodes = kubeNodeNames(name, workers).map((node, index): KubeLabNodeLayout => ({
    name: node,
    role: index === 0 ? 'control-plane' : 'worker',
    index,
    ip: `${KUBE_LAB_SUBNET_PREFIX}.${octet}.${10 + index}`,
    podCidr: `10.244.${index}.0/24`,
    volume: `${node}-var`,
  }));
  const [controlPlane, ...rest] = nodes as [KubeLabNodeLayout, ...KubeLabNodeLayout[]];
  return { name, network: `${name}-kube`, subnet, nodes, controlPlane, workers: rest };
}

/** Static routes a node needs: every other node's pod range via that node. */
export function podRoutes(layout: KubeLabLayout, self: KubeLabNodeLayout): string[] {
  return layout.nodes.filter((n) => n.name !== self.name).map((n) => `${n.podCidr}=${n.ip}`);
}
