import { stringify } from 'yaml';
import type { NodeAccess } from '../nodes/node-access.js';
import { pollUntil } from '../time/poll-until.js';
import { GLUSTER_STORAGE_CLASS } from '../sut/gluster/gluster-storage-class.js';
import { kubectl, kubectlApply, kubectlOk } from './kube-lab-kubectl.js';

/**
 * The kube lab's storage: one replica-3 GlusterFS volume per PersistentVolume, with its bricks
 * on the first three workers (each worker has one loop-backed, FUSE-failable brick filesystem,
 * and each volume a directory on it). Kubernetes 1.20's in-tree glusterfs plugin mounts a volume
 * through a static PV that names an Endpoints object; there is no dynamic provisioner (heketi is
 * not in Debian), so `up` pre-creates the PVs and recycles Released ones. Why one volume per
 * claim: a pod's data, its heal state and a drive fault then concern one volume only.
 */
export const STORAGE_NAMESPACE = 'pxchaos-storage';
/** The class the gluster driver claims from (lib/sut/gluster): the kube lab provisions its volumes in it. */
export const STORAGE_CLASS = GLUSTER_STORAGE_CLASS;
export const GLUSTER_ENDPOINTS = 'glusterfs-cluster';
export const BRICK_ROOT = '/srv/pxkube/brick';
export const VOLUME_SIZE = '1Gi';

export interface GlusterStorageSpec {
  readonly controlPlane: string;
  /** Workers with their IPs; the first three hold the replicas. */
  readonly workers: readonly { readonly node: NodeAccess; readonly ip: string }[];
  readonly volumes: number;
}

export const volumeName = (i: number): string => `pxkube-${i}`;
export const pvName = (i: number): string => `gluster-pv-${i}`;

const gluster = (node: NodeAccess, args: readonly string[], timeoutMs = 60_000) =>
  node.exec(['gluster', '--mode=script', ...args], { timeoutMs, check: false });

export interface BrickStatus {
  readonly host: string;
  readonly path: string;
  readonly online: boolean;
}

export interface GlusterVolumeState {
  readonly name: string;
  readonly started: boolean;
  readonly bricks: readonly BrickStatus[];
}

/** Reads `gluster volume status <v> --xml`: each brick's host, path and online flag. */
export function parseVolumeStatusXml(xml: string): BrickStatus[] {
  const bricks: BrickStatus[] = [];
  for (const block of xml.match(/<node>[\s\S]*?<\/node>/g) ?? []) {
    const field = (tag: string): string => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(block)?.[1] ?? '';
    const path = field('path');
    if (!path.startsWith('/')) continue; // self-heal daemons list "localhost" as their path
    bricks.push({ host: field('hostname'), path, online: field('status') === '1' });
  }
  return bricks;
}

export async function glusterVolumeState(node: NodeAccess, name: string): Promise<GlusterVolumeState> {
  const info = await gluster(node, ['volume', 'info', name], 20_000);
  const started = info.exitCode === 0 && /^Status:\s*Started/m.test(info.stdout);
  if (!started) return { name, started, bricks: [] };
  const status = await gluster(node, ['volume', 'status', name, '--xml'], 20_000);
  return { name, started, bricks: parseVolumeStatusXml(status.stdout) };
}

/** The hostnames `gluster pool list` shows as not Connected. */
export function disconnectedPeers(poolList: string): string[] {
  return poolList
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 3 && cols[2] !== 'Connected')
    .map((cols) => cols[1] ?? '?');
}

/** Peers, volumes, and the Kubernetes objects a StatefulSet's volumeClaimTemplate binds to. Idempotent. */
export async function ensureGlusterStorage(
  spec: GlusterStorageSpec,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const replicas = spec.workers.slice(0, 3);
  const [first, ...others] = replicas;
  if (!first || replicas.length < 3) throw new Error('GlusterFS replica 3 needs three workers');
  for (const peer of others) {
    const probe = await gluster(first.node, ['peer', 'probe', peer.ip]);
    if (probe.exitCode !== 0)
      throw new Error(`gluster peer probe ${peer.ip}: ${probe.stderr.trim() || probe.stdout.trim()}`);
  }
  // Up to ~64 s after a partition heals, a peer connection can still sit in TCP's SYN backoff
  // (measured in CI: still 2/3 connected 60 s into a reuse right after a node cut), so allow 180 s.
  await pollUntil(
    async () => {
      const pool = await gluster(first.node, ['pool', 'list'], 20_000);
      const connected = pool.stdout.split('\n').filter((l) => /\bConnected\b/.test(l)).length;
      if (connected >= replicas.length) return true;
      const down = disconnectedPeers(pool.stdout);
      return `${connected}/${replicas.length} Gluster peers connected${down.length > 0 ? ` (${down.join(', ')} reconnecting)` : ''}`;
    },
    180_000,
    signal,
    progress,
  );
  for (let i = 0; i < spec.volumes; i++) {
    const name = volumeName(i);
    const info = await gluster(first.node, ['volume', 'info', name], 20_000);
    if (info.exitCode !== 0) {
      progress(`creating Gluster volume ${name} (replica 3)`);
      const bricks = replicas.map((w) => `${w.ip}:${BRICK_ROOT}/${name}`);
      // The first node sees every peer Connected before the peers see each other: a create staged
      // on a peer whose link to a third one is still coming up fails "Host … not connected"
      // (seen once in CI). That answer is retried until the peers have met; any other is final.
      let refusal = '';
      let attempts = 0;
      await pollUntil(
        async () => {
          attempts++;
          // force: the bricks are directories on a mount of the node's own filesystem tree.
          const created = await gluster(
            first.node,
            ['volume', 'create', name, 'replica', '3', ...bricks, 'force'],
            120_000,
          );
          if (created.exitCode === 0) return true;
          refusal = created.stderr.trim() || created.stdout.trim();
          // A retry after a create that did commit on its first try.
          if (attempts > 1 && /already exists/.test(refusal)) return true;
          if (!/not connected/i.test(refusal)) throw new Error(`gluster volume create ${name}: ${refusal}`);
          return `gluster volume create ${name}: ${refusal}; retrying`;
        },
        60_000,
        signal,
        progress,
      ).catch((err: unknown) => {
        throw /^gluster volume create/.test((err as Error).message)
          ? err
          : new Error(`gluster volume create ${name}: ${refusal} (still, after 60 s)`);
      });
      // Gluster's own profile for databases: no client-side caching that could serve stale data.
      // Self-heal with 4 threads: after a pod move, what the new pod wrote while a replica was cut
      // off is pending heal while Postgres serves from the same files.
      for (const option of [
        ['group', 'db-workload'],
        ['cluster.shd-max-threads', '4'],
      ]) {
        const tuned = await gluster(first.node, ['volume', 'set', name, ...option]);
        if (tuned.exitCode !== 0)
          throw new Error(
            `gluster volume set ${name} ${option.join(' ')}: ${tuned.stderr.trim() || tuned.stdout.trim()}`,
          );
      }
    }
    if (!/^Status:\s*Started/m.test((await gluster(first.node, ['volume', 'info', name], 20_000)).stdout)) {
      const started = await gluster(first.node, ['volume', 'start', name, 'force'], 120_000);
      if (started.exitCode !== 0)
        throw new Error(`gluster volume start ${name}: ${started.stderr.trim() || started.stdout.trim()}`);
    }
  }
  await kubectlApply(spec.controlPlane, storageManifests(spec), signal);
  await recycleReleasedVolumes(
    spec.controlPlane,
    spec.workers.map((w) => w.node),
    progress,
    signal,
  );
}

/** Namespace, selector-less Service + Endpoints of the brick nodes, StorageClass, one PV per volume. */
export function storageManifests(spec: Pick<GlusterStorageSpec, 'workers' | 'volumes'>): string {
  const ips = spec.workers.slice(0, 3).map((w) => w.ip);
  const docs: unknown[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: STORAGE_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'pxchaos' } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: GLUSTER_ENDPOINTS, namespace: STORAGE_NAMESPACE },
      spec: { ports: [{ port: 1 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: GLUSTER_ENDPOINTS, namespace: STORAGE_NAMESPACE },
      subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 1 }] }],
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: STORAGE_CLASS },
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
    },
    ...Array.from({ length: spec.volumes }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName(i), labels: { 'pxchaos.io/gluster-volume': volumeName(i) } },
      spec: {
        capacity: { storage: VOLUME_SIZE },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STORAGE_CLASS,
        glusterfs: {
          endpoints: GLUSTER_ENDPOINTS,
          endpointsNamespace: STORAGE_NAMESPACE,
          path: volumeName(i),
        },
      },
    })),
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

interface PvList {
  items: { metadata: { name: string }; status?: { phase?: string } }[];
}

/**
 * Empties a brick of a stopped volume, keeping the brick's root (its volume-id and root gfid
 * xattrs) and the `.glusterfs/indices` directory the brick needs to start; a node without the brick
 * has nothing to do.
 */
const WIPE_BRICK: readonly string[] = [
  'sh',
  '-c',
  '[ -d "$1" ] || exit 0; find "$1" -mindepth 1 -maxdepth 1 -exec rm -rf {} +; mkdir -p "$1/.glusterfs/indices"',
  'pxchaos-wipe-brick',
];

/**
 * A PV whose claim was deleted (a run's namespace went) is Released: wipe its Gluster volume and
 * make it Available again. `up` does it, and so does a kind-target run on a kube lab before it
 * claims a volume: without it each run used one PV up for good, and the next one waited for a
 * claim no PV could bind. `workers`: every worker (the first runs the gluster CLI). The volume is
 * stopped, its bricks emptied on their nodes at once, and started again: measured 5 s where an
 * unlink of each file through a Gluster mount took 46–49 s for a Postgres data directory.
 */
export async function recycleReleasedVolumes(
  controlPlane: string,
  workers: readonly NodeAccess[],
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const [cli] = workers;
  if (!cli) throw new Error("recycling Gluster volumes needs the kube lab's workers");
  const list = JSON.parse(
    await kubectlOk(controlPlane, ['get', 'pv', '-l', 'pxchaos.io/gluster-volume', '-o', 'json'], {
      timeoutMs: 20_000,
      ...(signal && { signal }),
    }),
  ) as PvList;
  const recycled: string[] = [];
  for (const pv of list.items) {
    if (pv.status?.phase !== 'Released') continue;
    const index = Number(/(\d+)$/.exec(pv.metadata.name)?.[1]);
    const volume = volumeName(index);
    progress(`recycling ${pv.metadata.name}: wiping Gluster volume ${volume}`);
    const stopped = await gluster(cli, ['volume', 'stop', volume], 120_000);
    if (stopped.exitCode !== 0 && !/is not in the started state/.test(stopped.stderr + stopped.stdout))
      throw new Error(`gluster volume stop ${volume}: ${stopped.stderr.trim() || stopped.stdout.trim()}`);
    await Promise.all(
      workers.map((w) => w.exec([...WIPE_BRICK, `${BRICK_ROOT}/${volume}`], { timeoutMs: 120_000 })),
    );
    const started = await gluster(cli, ['volume', 'start', volume, 'force'], 120_000);
    if (started.exitCode !== 0)
      throw new Error(`gluster volume start ${volume}: ${started.stderr.trim() || started.stdout.trim()}`);
    await kubectlOk(controlPlane, [
      'patch',
      'pv',
      pv.metadata.name,
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/claimRef"}]',
    ]);
    recycled.push(pv.metadata.name);
  }
  if (recycled.length === 0) return;
  // Let a just-recycled PV become Available before a claim needs it (only those: others may be Bound).
  await kubectl(
    controlPlane,
    ['wait', '--for=jsonpath={.status.phase}=Available', 'pv', ...recycled, '--timeout=30s'],
    { timeoutMs: 40_000 },
  );
}
