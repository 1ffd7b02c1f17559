import { createHash } from 'node:crypto';
import { cp, link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildContextHash } from '../docker/build-context-hash.js';
import { docker, dockerOk } from '../docker/docker-cli.js';
import { ensureBaseImage } from '../lab/base-image.js';
import { KUBE_VERSION, type KubeBinaries, type KubeBinary } from './kube-binaries.js';
import { POSTGRES_IMAGE_REPO, SEED_LABEL } from './kube-lab-layout.js';
import { nodeRunSecurityArgs } from './kube-node-container.js';

const IMAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'image');
/** kubeadm's imageRepository: images exist only in the nodes' containerd, never in a registry. */
export const KUBE_IMAGE_REPOSITORY = 'registry.pxchaos.local';
/** What kubeadm 1.20 asks for besides the kube-* images at KUBE_VERSION. */
export const ETCD_TAG = '3.4.13-0';
export const PAUSE_TAG = '3.2';

export interface KubeImages {
  readonly node: string;
  readonly control: string;
  readonly pause: string;
  /** PostgreSQL 15 for the StatefulSet (pods use imagePullPolicy: Never). */
  readonly postgres: string;
  /** Named volume holding a containerd image store with every image imported: nodes copy it at first start. */
  readonly seedVolume: string;
}

interface ImageSpec {
  readonly dir: 'node' | 'control' | 'pause' | 'postgres';
  readonly repo: string;
  readonly bins: readonly KubeBinary[];
  readonly extraTags: readonly string[];
}

const CONTROL_TAGS = [
  ...['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'].map(
    (n) => `${KUBE_IMAGE_REPOSITORY}/${n}:${KUBE_VERSION}`,
  ),
  `${KUBE_IMAGE_REPOSITORY}/etcd:${ETCD_TAG}`,
];

const SPECS: readonly ImageSpec[] = [
  { dir: 'node', repo: 'pxchaos/kube-node', bins: ['kubelet', 'kubeadm', 'kubectl'], extraTags: [] },
  {
    dir: 'control',
    repo: 'pxchaos/kube-control',
    bins: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'],
    extraTags: CONTROL_TAGS,
  },
  {
    dir: 'pause',
    repo: 'pxchaos/kube-pause',
    bins: ['pause'],
    extraTags: [`${KUBE_IMAGE_REPOSITORY}/pause:${PAUSE_TAG}`],
  },
  { dir: 'postgres', repo: POSTGRES_IMAGE_REPO, bins: [], extraTags: [] },
];

const imageId = async (ref: string): Promise<string | undefined> => {
  const run = await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { timeoutMs: 15_000 });
  return run.exitCode === 0 ? run.stdout.trim() : undefined;
};

/**
 * Builds (or finds, by content hash) the kube lab's images: node, control plane, pause and
 * PostgreSQL, then the containerd image-store seed volume the nodes start from.
 */
export async function ensureKubeImages(
  binaries: KubeBinaries,
  progress: (line: string) => void = () => undefined,
): Promise<KubeImages> {
  const base = await ensureBaseImage(progress);
  const baseId = (await imageId(base)) ?? base;
  const tags: string[] = [];
  const seeded: string[] = [];
  for (const spec of SPECS) {
    const tag = await ensureImage(spec, base, baseId, binaries, progress);
    tags.push(tag);
    // Every image but the node's own runs as a pod or static pod: it goes into the seed.
    if (spec.dir !== 'node') seeded.push(tag, ...spec.extraTags);
  }
  const [node, control, pause, postgres] = tags as [string, string, string, string];
  const seedVolume = await ensureSeedVolume(node, seeded, progress);
  return { node, control, pause, postgres, seedVolume };
}

async function ensureImage(
  spec: ImageSpec,
  base: string,
  baseId: string,
  binaries: KubeBinaries,
  progress: (line: string) => void,
): Promise<string> {
  const contextDir = join(IMAGE_DIR, spec.dir);
  const hash = await buildContextHash(contextDir, [baseId, spec.bins.length ? binaries.key : '']);
  const tag = `${spec.repo}:${hash}`;
  if (!(await imageId(tag))) {
    progress(`building image ${tag}`);
    const started = performance.now();
    const context = await mkdtemp(join(tmpdir(), `pxchaos-${spec.dir}-`));
    try {
      await cp(contextDir, context, { recursive: true });
      await mkdir(join(context, 'bin'), { recursive: true });
      for (const bin of spec.bins) {
        // Hard links where the cache and the temp dir share a filesystem: the binaries are ~450 MB.
        await link(binaries.path(bin), join(context, 'bin', bin)).catch(() =>
          cp(binaries.path(bin), join(context, 'bin', bin)),
        );
      }
      await dockerOk(['build', '--build-arg', `BASE_IMAGE=${base}`, '-t', tag, context], {
        timeoutMs: 1_800_000,
        onLine: (line) => {
          if (/^Step \d+\/\d+/.test(line)) progress(`build ${spec.dir}: ${line}`);
        },
      });
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    progress(`image ${tag} built in ${Math.round((performance.now() - started) / 1000)}s`);
  }
  for (const extra of spec.extraTags) await dockerOk(['tag', tag, extra], { timeoutMs: 15_000 });
  return tag;
}

/**
 * A containerd root with every image imported and unpacked, in a named volume keyed by the image
 * ids. Nodes copy it on first start instead of importing tarballs (the import took 55–72 s per
 * cluster start). Older seed volumes that no container uses are removed.
 */
async function ensureSeedVolume(
  nodeImage: string,
  refs: readonly string[],
  progress: (line: string) => void,
): Promise<string> {
  const ids = await Promise.all(refs.map(async (r) => `${r}=${(await imageId(r)) ?? ''}`));
  const key = createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 12);
  const volume = `pxchaos-kube-images-${key}`;
  const marker = await docker(
    [
      'run',
      '--rm',
      '-v',
      `${volume}:/seed:ro`,
      '--entrypoint',
      'test',
      nodeImage,
      '-f',
      '/seed/containerd/.pxchaos-seeded',
    ],
    { timeoutMs: 60_000 },
  );
  if (marker.exitCode === 0) return volume;
  await pruneSeedVolumes(volume);
  progress(`importing ${refs.length} image tags into the containerd seed volume ${volume}`);
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'pxchaos-kube-images-'));
  try {
    await dockerOk(['volume', 'create', '--label', `${SEED_LABEL}=${key}`, volume], { timeoutMs: 30_000 });
    await dockerOk(['save', '-o', join(dir, 'images.tar'), ...refs], { timeoutMs: 900_000 });
    const script = [
      'set -e',
      'rm -rf /seed/containerd',
      'mkdir -p /run/seed',
      'containerd --root /seed/containerd --state /run/seed --address /run/seed/c.sock >/tmp/containerd.log 2>&1 &',
      'for i in $(seq 1 100); do [ -S /run/seed/c.sock ] && break; sleep 0.1; done',
      'ctr --address /run/seed/c.sock -n k8s.io images import --no-unpack=false /images/images.tar >/dev/null',
      'ctr --address /run/seed/c.sock -n k8s.io images ls -q',
      'kill %1; wait || true',
      'touch /seed/containerd/.pxchaos-seeded',
    ].join('\n');
    await dockerOk(
      [
        'run',
        '--rm',
        ...nodeRunSecurityArgs(),
        '--tmpfs',
        '/run:exec',
        '-v',
        `${volume}:/seed`,
        '-v',
        `${dir}:/images:ro`,
        '--entrypoint',
        'bash',
        nodeImage,
        '-c',
        script,
      ],
      { timeoutMs: 900_000 },
    );
  } catch (err) {
    await docker(['volume', 'rm', '-f', volume], { timeoutMs: 30_000 }).catch(() => undefined);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  progress(`seed volume ${volume} ready in ${Math.round((performance.now() - started) / 1000)}s`);
  return volume;
}

async function pruneSeedVolumes(keep: string): Promise<void> {
  const list = await docker(['volume', 'ls', '-q', '--filter', `label=${SEED_LABEL}`], { timeoutMs: 30_000 });
  for (const v of list.stdout.split('\n').map((l) => l.trim())) {
    if (v && v !== keep) await docker(['volume', 'rm', v], { timeoutMs: 30_000 }); // fails while in use: fine
  }
}
