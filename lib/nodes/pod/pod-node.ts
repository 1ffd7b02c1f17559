import { connectKube, type KubeClient } from '../../k8s/kube-client.js';
import { isNotFound, KubeApiError } from '../../k8s/kube-api-error.js';
import { execInPod } from '../../k8s/pod-exec.js';
import { ownerAnnotations } from '../../sut/postgres-on-k8s/run-namespace-owner.js';
import { CommandTimeoutError, ConnectionLostError } from '../exec-errors.js';
import { execOutcome } from '../exec-outcome.js';
import type { ExecOptions, ExecResult } from '../exec-result.js';
import type { NodeAccess, PodNodeAddress } from '../node-access.js';
import { NODE_DEADLINE_SLACK_MS, withNodeDeadline } from '../node-deadline.js';
import { HOST_EXEC_NAME, hostExecArgv } from './host-exec-argv.js';
import { removeHelperPod, startHelperPod } from './helper-pods.js';

const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
const DEFAULT_KUBELET_PORT = 10250;

interface Helper {
  readonly client: KubeClient;
  readonly pod: string;
}

/**
 * A node reached through Kubernetes only (`nodeAccess: pod`): commands run on the host through a
 * privileged helper pod pinned to the node (helper-pod-spec.ts), created on first use and deleted
 * by close(). What a command leaves running on the host (an auto-revert timer) is out of the
 * helper's cgroups (host-exec-argv.ts): deleting or restarting the helper does not stop it.
 */
export class PodNode implements NodeAccess {
  readonly address: PodNodeAddress;
  readonly keptTcpPorts: readonly number[];
  readonly viaKubeletOf: string;
  private helper: Promise<Helper> | undefined;
  /** Fixed once: the helper's name derives from it, so a retried creation finds the same pod. */
  private readonly owner = ownerAnnotations();

  constructor(
    readonly name: string,
    address: Omit<PodNodeAddress, 'kind'>,
  ) {
    this.address = { kind: 'pod', ...address };
    this.keptTcpPorts = [address.kubeletPort ?? DEFAULT_KUBELET_PORT];
    this.viaKubeletOf = address.node;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error(`${this.name}: exec needs a non-empty argv`);
    // The exec stream (channel protocol v4) cannot half-close stdin: "written, then closed" cannot hold.
    if (options.stdin !== undefined)
      throw new Error(`${this.name}: a node command through a helper pod takes no stdin`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const { client, pod } = await this.ready(options.signal);
    let run: ExecResult;
    try {
      run = await execInPod(
        client,
        { namespace: this.address.namespace, pod },
        hostExecArgv(withNodeDeadline(argv, timeoutMs)),
        {
          timeoutMs: timeoutMs + NODE_DEADLINE_SLACK_MS,
          throughCut: true,
          ...(options.signal && { signal: options.signal }),
        },
      );
    } catch (err) {
      if (err instanceof CommandTimeoutError) throw new CommandTimeoutError(this.name, argv, timeoutMs);
      // The helper went away (deleted, its node gone): the next call makes a new one. A command that
      // could not start (PodExecStartError) is a KubeApiError too.
      if (isNotFound(err)) this.helper = undefined;
      if (err instanceof KubeApiError || err instanceof ConnectionLostError)
        throw new ConnectionLostError(
          this.name,
          argv,
          `through helper pod ${pod}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      throw err;
    }
    const entered = cannotEnter(run);
    if (entered)
      throw new ConnectionLostError(
        this.name,
        argv,
        `cannot enter the host from helper pod ${pod}: ${entered}`,
      );
    return execOutcome(
      { ...run, node: this.name, argv },
      { timeoutMs, nodeSideDeadline: true, ...(options.check !== undefined && { check: options.check }) },
    );
  }

  /** Deletes the helper pod, if one was made; idempotent. */
  async close(): Promise<void> {
    const helper = this.helper;
    this.helper = undefined;
    const made = await helper?.catch(() => undefined);
    if (made) await removeHelperPod(made.client, this.address.namespace, made.pod);
  }

  private ready(signal?: AbortSignal): Promise<Helper> {
    this.helper ??= (async () => {
      const { kubeconfig, context, namespace, image, imagePullPolicy } = this.address;
      const client = await connectKube({ kubeconfig, ...(context !== undefined && { context }) });
      const pod = await startHelperPod(
        client,
        {
          node: this.address.node,
          namespace,
          image,
          owner: this.owner,
          ...(imagePullPolicy && { imagePullPolicy }),
        },
        signal,
      );
      return { client, pod: pod.metadata?.name ?? '' };
    })();
    const made = this.helper;
    made.catch(() => {
      if (this.helper === made) this.helper = undefined; // not cached: the next call tries again
    });
    return made;
  }
}

/** nsenter's own failure (exit 1, "nsenter: …") or the cgroup join's (exit 125, "pxchaos-node: …"). */
function cannotEnter(run: ExecResult): string | undefined {
  const first = run.stderr.trimStart().split('\n')[0] ?? '';
  if (run.exitCode === 125 && first.startsWith(`${HOST_EXEC_NAME}: `)) return first;
  if (run.exitCode === 1 && first.startsWith('nsenter: ')) return first;
  return undefined;
}
