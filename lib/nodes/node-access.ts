import type { ExecOptions, ExecResult } from './exec-result.js';

/**
 * How a node is reached, as plain data: it is written into the fault journal so that
 * `pxchaos heal` can reach the node again after the harness crashed.
 */
export type NodeAddress =
  | { readonly kind: 'docker'; readonly container: string }
  | {
      readonly kind: 'ssh';
      readonly host: string;
      readonly port: number;
      readonly user: string;
      /** Path of the private key file (never the key itself: the journal must hold no secrets). */
      readonly keyPath?: string;
      /** Path of a known_hosts file used to pin the host key. */
      readonly knownHostsPath?: string;
      /** Pinned host key fingerprint, "SHA256:<base64>". */
      readonly hostKeyFingerprint?: string;
      /** Explicit opt-out of host key pinning. */
      readonly allowUnknownHostKey?: boolean;
    }
  | PodNodeAddress;

/** A node reached through a privileged helper pod (lib/nodes/pod/): only a kubeconfig is needed. */
export interface PodNodeAddress {
  readonly kind: 'pod';
  /** Path of the kubeconfig file (never its credentials). */
  readonly kubeconfig: string;
  readonly context?: string;
  /** The Kubernetes node's name. */
  readonly node: string;
  /** Where the helper pods go. */
  readonly namespace: string;
  /** The helper's image: any image with nsenter (util-linux), awk and coreutils. */
  readonly image: string;
  readonly imagePullPolicy?: 'Never' | 'IfNotPresent' | 'Always';
  /** The node's kubelet port (Node.status.daemonEndpoints), kept open by a partition. Default 10250. */
  readonly kubeletPort?: number;
}

/** One machine of a target. Commands are argv arrays, never shell strings. */
export interface NodeAccess {
  /** The node's name within its target (n1, worker-2, ...). */
  readonly name: string;
  readonly address: NodeAddress;
  /** TCP ports a partition of this node keeps open: the harness's own way in. Default [22] (SSH). */
  readonly keptTcpPorts?: readonly number[];
  /**
   * The Kubernetes node whose kubelet carries this node's commands (a helper pod): while a partition
   * keeps that route open, the harness's other routes through it behave as cut (lib/k8s/cut-nodes.ts).
   */
  readonly viaKubeletOf?: string;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}
