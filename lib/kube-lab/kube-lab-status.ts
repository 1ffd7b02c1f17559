import type { V1Namespace } from '@kubernetes/client-node';
import { DockerExecNode } from '../nodes/docker-exec-node.js';
import { describeRunNamespace, runNamespaceStates } from '../sut/postgres-on-k8s/dead-run-namespaces.js';
import { MANAGED_BY, MANAGED_BY_LABEL, RUN_LABEL } from '../sut/postgres-on-k8s/run-namespace.js';
import { glusterVolumeState, STORAGE_CLASS, volumeName, type GlusterVolumeState } from './gluster-storage.js';
import { kubeLabAccessPaths, type KubeLabAccessFiles } from './kube-lab-access.js';
import { inspectKubeLab } from './kube-lab-inspect.js';
import { kubectl, kubeNodes, type KubeNodeState } from './kube-lab-kubectl.js';
import { readKubeTimings } from './kube-timings.js';
import type { KubeTimings } from './kubeadm-config.js';

export interface KubeLabNodeStatus {
  readonly name: string;
  readonly role: string;
  readonly ip: string;
  readonly running: boolean;
  readonly ready: boolean;
  readonly kubeletVersion?: string;
  /** Workers: brick state (healthy|hung|error|unmounted|detached) and its loop device. */
  readonly brick?: { readonly state: string; readonly loopDevice?: string };
}

export interface KubeLabStatus {
  readonly name: string;
  readonly exists: boolean;
  readonly healthy: boolean;
  readonly nodes: readonly KubeLabNodeStatus[];
  readonly access: KubeLabAccessFiles;
  readonly timings?: KubeTimings;
  readonly storage?: {
    readonly storageClass: string;
    readonly volumes: readonly (GlusterVolumeState & { readonly pv: string; readonly phase?: string })[];
  };
  /** Run namespaces still on the cluster (a killed run's hold a volume until the next run removes them). */
  readonly runNamespaces?: readonly string[];
  readonly problems: readonly string[];
}

interface PvList {
  items: { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }[];
}

/** What the kube lab looks like now: nodes, bricks, Gluster volumes, PVs, timers, access files. */
export async function kubeLabStatus(name: string): Promise<KubeLabStatus> {
  const found = await inspectKubeLab(name);
  const access = kubeLabAccessPaths(name);
  if (!found.containers.length)
    return { name, exists: false, healthy: false, nodes: [], access, problems: ['no node containers'] };
  const problems: string[] = [];
  const cp = found.containers.find((c) => c.role === 'control-plane');
  let kube: KubeNodeState[] = [];
  if (cp?.running)
    kube = await kubeNodes(cp.name).catch(
      (err: unknown) => (problems.push(`API server: ${(err as Error).message}`), []),
    );
  else problems.push('control-plane container is not running');
  const nodes = await Promise.all(
    found.containers.map(async (c): Promise<KubeLabNodeStatus> => {
      const k = kube.find((n) => n.name === c.name);
      let brick: KubeLabNodeStatus['brick'];
      if (c.role === 'worker' && c.running) {
        const out = await new DockerExecNode(c.name, c.name)
          .exec(['pxkube-brick', 'status'], { timeoutMs: 15_000, check: false })
          .catch(() => undefined);
        const [state = 'unknown', loopDevice] = (out?.stdout ?? '').trim().split(/\s+/);
        brick = { state, ...(loopDevice && { loopDevice }) };
      }
      return {
        name: c.name,
        role: c.role,
        ip: c.ip,
        running: c.running,
        ready: k?.ready ?? false,
        ...(k?.kubeletVersion && { kubeletVersion: k.kubeletVersion }),
        ...(brick && { brick }),
      };
    }),
  );
  for (const n of nodes) {
    if (!n.running) problems.push(`${n.name}: container stopped`);
    else if (!n.ready) problems.push(`${n.name}: not Ready`);
    if (n.brick && n.brick.state !== 'healthy') problems.push(`${n.name}: brick ${n.brick.state}`);
  }
  let storage: KubeLabStatus['storage'];
  let runNamespaces: string[] | undefined;
  let timings: KubeTimings | undefined;
  const worker = found.containers.find((c) => c.role === 'worker' && c.running);
  if (cp?.running) {
    timings = await readKubeTimings(cp.name).catch(() => undefined);
    const pvs = await kubectl(cp.name, ['get', 'pv', '-l', 'pxchaos.io/gluster-volume', '-o', 'json'], {
      timeoutMs: 20_000,
    });
    const list = pvs.exitCode === 0 ? (JSON.parse(pvs.stdout) as PvList).items : [];
    const volumes = [];
    for (const pv of list) {
      const vol = pv.metadata.labels?.['pxchaos.io/gluster-volume'] ?? '';
      const state = worker
        ? await glusterVolumeState(new DockerExecNode(worker.name, worker.name), vol)
        : { name: vol, started: false, bricks: [] };
      if (!state.started) problems.push(`Gluster volume ${vol} not started`);
      for (const b of state.bricks)
        if (!b.online) problems.push(`Gluster volume ${vol}: brick ${b.host}:${b.path} offline`);
      volumes.push({ ...state, pv: pv.metadata.name, ...(pv.status?.phase && { phase: pv.status.phase }) });
    }
    if (!volumes.length) problems.push(`no PersistentVolumes for ${volumeName(0)}…`);
    storage = { storageClass: STORAGE_CLASS, volumes };
    const ns = await kubectl(
      cp.name,
      ['get', 'namespaces', '-l', `${MANAGED_BY_LABEL}=${MANAGED_BY},${RUN_LABEL}`, '-o', 'json'],
      {
        timeoutMs: 20_000,
      },
    );
    if (ns.exitCode === 0)
      runNamespaces = runNamespaceStates((JSON.parse(ns.stdout) as { items: V1Namespace[] }).items).map((n) =>
        describeRunNamespace(n, access.context),
      );
  }
  return {
    name,
    exists: true,
    healthy: problems.length === 0,
    nodes,
    access,
    ...(timings && { timings }),
    ...(storage && { storage }),
    ...(runNamespaces && { runNamespaces }),
    problems,
  };
}
