import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { formatDuration } from '../time/duration.js';
import { ETCD_TAG, KUBE_IMAGE_REPOSITORY } from './kube-images.js';
import { KUBE_VERSION } from './kube-binaries.js';
import { POD_SUBNET, SERVICE_SUBNET, type KubeLabLayout, type KubeLabNodeLayout } from './kube-lab-layout.js';

const CRI_SOCKET = 'unix:///run/containerd/containerd.sock';

/** Controller-manager/kubelet timers that decide how fast a cut node is noticed. */
export interface KubeTimings {
  /** --node-monitor-grace-period: NotReady this long after the last status (Kubernetes default 40 s). */
  readonly nodeMonitorGracePeriodMs: number;
  /** --node-monitor-period: how often the controller checks (default 5 s). */
  readonly nodeMonitorPeriodMs: number;
  /** kubelet nodeStatusUpdateFrequency (default 10 s). */
  readonly nodeStatusUpdateFrequencyMs: number;
}

export const DEFAULT_KUBE_TIMINGS: KubeTimings = {
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  nodeStatusUpdateFrequencyMs: 10_000,
};

/** Kubernetes flags take Go durations: whole seconds are enough here. */
const goDuration = (ms: number): string => `${Math.round(ms / 1000)}s`;

/** A fresh bootstrap token (kubeadm's format), used once to join the workers. */
export function newBootstrapToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (n: number): string => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${pick(6)}.${pick(16)}`;
}

function nodeRegistration(node: KubeLabNodeLayout): Record<string, unknown> {
  return {
    name: node.name,
    criSocket: CRI_SOCKET,
    kubeletExtraArgs: { 'node-ip': node.ip },
    ...(node.role === 'control-plane' && {
      taints: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }],
    }),
  };
}

/** kubeadm init configuration: no DNS add-on, local images, cgroupfs, no host sysctl writes. */
export function initConfig(layout: KubeLabLayout, token: string, timings: KubeTimings): string {
  const cp = layout.controlPlane;
  const docs = [
    {
      apiVersion: 'kubeadm.k8s.io/v1beta2',
      kind: 'InitConfiguration',
      bootstrapTokens: [
        {
          token,
          ttl: '2h',
          usages: ['signing', 'authentication'],
          groups: ['system:bootstrappers:kubeadm:default-node-token'],
        },
      ],
      localAPIEndpoint: { advertiseAddress: cp.ip, bindPort: 6443 },
      nodeRegistration: nodeRegistration(cp),
    },
    {
      apiVersion: 'kubeadm.k8s.io/v1beta2',
      kind: 'ClusterConfiguration',
      kubernetesVersion: KUBE_VERSION,
      clusterName: layout.name,
      imageRepository: KUBE_IMAGE_REPOSITORY,
      controlPlaneEndpoint: `${cp.ip}:6443`,
      apiServer: { certSANs: [cp.ip, cp.name, '127.0.0.1', 'localhost'] },
      controllerManager: {
        extraArgs: {
          'node-monitor-grace-period': goDuration(timings.nodeMonitorGracePeriodMs),
          'node-monitor-period': goDuration(timings.nodeMonitorPeriodMs),
        },
      },
      etcd: { local: { imageTag: ETCD_TAG } },
      networking: { podSubnet: POD_SUBNET, serviceSubnet: SERVICE_SUBNET, dnsDomain: 'cluster.local' },
    },
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      cgroupDriver: 'cgroupfs',
      failSwapOn: false,
      nodeStatusUpdateFrequency: goDuration(timings.nodeStatusUpdateFrequencyMs),
      // The disk is shared with the host and every other container: never evict for it.
      evictionHard: { 'nodefs.available': '0%', 'nodefs.inodesFree': '0%', 'imagefs.available': '0%' },
      imageGCHighThresholdPercent: 100,
    },
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode: 'iptables',
      clusterCIDR: POD_SUBNET,
      // 0 = leave nf_conntrack_max alone (a host-wide setting).
      conntrack: { maxPerCore: 0 },
    },
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

/** kubeadm join configuration of one worker. */
export function joinConfig(layout: KubeLabLayout, node: KubeLabNodeLayout, token: string): string {
  return stringify({
    apiVersion: 'kubeadm.k8s.io/v1beta2',
    kind: 'JoinConfiguration',
    discovery: {
      // The CA is checked by the bootstrap token's signature on the cluster-info ConfigMap only;
      // the harness created both ends on a private Docker network.
      bootstrapToken: {
        apiServerEndpoint: `${layout.controlPlane.ip}:6443`,
        token,
        unsafeSkipCAVerification: true,
      },
    },
    nodeRegistration: nodeRegistration(node),
  });
}

export function describeTimings(t: KubeTimings): string {
  return `node-monitor-grace-period ${formatDuration(t.nodeMonitorGracePeriodMs)}, node-monitor-period ${formatDuration(t.nodeMonitorPeriodMs)}, kubelet status every ${formatDuration(t.nodeStatusUpdateFrequencyMs)}`;
}
