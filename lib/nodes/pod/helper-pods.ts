import type { V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../../errors.js';
import { DeleteTimeoutError, deleteAndWaitGone } from '../../k8s/delete-objects.js';
import { ensureNamespace } from '../../k8s/ensure-namespace.js';
import { isConflict, KubeApiError } from '../../k8s/kube-api-error.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { isPodServing } from '../../k8s/ready-pod.js';
import { runLiveness } from '../../sut/postgres-on-k8s/run-namespace-owner.js';
import { formatDuration } from '../../time/duration.js';
import { HELPER_SELECTOR, helperPodSpec, type HelperPodRequest } from './helper-pod-spec.js';

/** A helper not Ready by then will not be (image missing, privileges refused by the runtime). */
const READY_WITHIN_MS = 60_000;
const POLL_MS = 250;
/** Waiting reasons that will not clear by themselves. */
const HOPELESS =
  /ErrImageNeverPull|InvalidImageName|CreateContainerConfigError|CreateContainerError|RunContainerError/;

/**
 * Creates the helper pod for a node and waits until it runs. The cluster refusing it (Pod Security
 * admission, a policy webhook, RBAC) or the runtime failing to start it is one EnvironmentError line.
 */
export async function startHelperPod(
  client: KubeClient,
  request: HelperPodRequest,
  signal?: AbortSignal,
): Promise<V1Pod> {
  const body = helperPodSpec(request);
  const name = body.metadata?.name ?? '';
  const where = `helper pod ${request.namespace}/${name} on node ${request.node}`;
  await ensureNamespace(client, request.namespace);
  await client
    .call(`create ${where}`, () => client.core.createNamespacedPod({ namespace: request.namespace, body }))
    .catch((err: unknown) => {
      if (isConflict(err)) return; // ours, made by an earlier call
      if (refusedByAdmission(err)) throw refused(where, request.namespace, err);
      throw err;
    });
  const started = performance.now();
  for (;;) {
    const pod = await client.call(`read ${where}`, () =>
      client.core.readNamespacedPod({ name, namespace: request.namespace }),
    );
    if (isPodServing(pod)) return pod;
    const why = notStarting(pod);
    const waited = performance.now() - started;
    if (why && HOPELESS.test(why)) throw new EnvironmentError(`${where} cannot start: ${why}`);
    if (waited > READY_WITHIN_MS)
      throw new EnvironmentError(
        `${where} not running after ${formatDuration(waited)}${why ? `: ${why}` : ` (phase ${pod.status?.phase ?? '?'})`}`,
      );
    await sleep(POLL_MS, undefined, signal ? { signal } : undefined);
  }
}

/**
 * Whether the cluster admits the helper pod on each node: a server-side dry run of the real spec,
 * which passes through the whole admission chain (Pod Security admission, PodSecurityPolicy, policy
 * webhooks, quota, RBAC) and creates nothing — but the namespace pxchaos owns, made when missing.
 * A refusal is one EnvironmentError line naming the node and the reason (exit 3).
 */
export async function admitHelperPods(
  client: KubeClient,
  nodes: readonly string[],
  request: Omit<HelperPodRequest, 'node'>,
): Promise<void> {
  await ensureNamespace(client, request.namespace);
  for (const node of nodes) {
    const body = helperPodSpec({ ...request, node });
    await client
      .call(`dry-run create of the helper pod on ${node}`, () =>
        client.core.createNamespacedPod({ namespace: request.namespace, body, dryRun: 'All' }),
      )
      .catch((err: unknown) => {
        if (refusedByAdmission(err))
          throw refused(
            `helper pod ${request.namespace}/${body.metadata?.name ?? ''} on node ${node}`,
            request.namespace,
            err,
          );
        throw err;
      });
  }
}

/** What the API server answers a pod it will not admit: forbidden (RBAC, a policy), invalid, or a webhook's 400. */
const refusedByAdmission = (err: unknown): err is KubeApiError =>
  err instanceof KubeApiError && (err.status === 403 || err.status === 422 || err.status === 400);

function refused(where: string, namespace: string, err: KubeApiError): EnvironmentError {
  return new EnvironmentError(
    `node access through pods: the cluster refuses the privileged ${where} (${err.message}); it needs privileged, hostPID and hostNetwork pods in ${namespace} (label it pod-security.kubernetes.io/enforce=privileged, or grant the policy), or use --target vm`,
    { cause: err },
  );
}

/** Why the helper's container is not running, from its status ("ErrImageNeverPull: …"). */
function notStarting(pod: V1Pod): string | undefined {
  const state = pod.status?.containerStatuses?.[0]?.state;
  const waiting = state?.waiting;
  if (waiting?.reason) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  const terminated = state?.terminated;
  if (terminated) return `exited ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`;
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False',
  );
  return unschedulable?.message;
}

/**
 * Deletes a helper pod and waits until it is gone; one on a node that does not answer (cut off, its
 * kubelet down) is force-deleted after 30 s. Nothing it started on the host dies with it.
 */
export async function removeHelperPod(client: KubeClient, namespace: string, name: string): Promise<void> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } };
  try {
    await deleteAndWaitGone(client, pod, { timeoutMs: 30_000 });
  } catch (err) {
    if (!(err instanceof DeleteTimeoutError)) throw err;
    await deleteAndWaitGone(client, pod, { timeoutMs: 30_000, gracePeriodSeconds: 0 });
  }
}

/** The helper pods in a namespace (every run's): for the leftover check and for a dead run's clean-up. */
export async function listHelperPods(client: KubeClient, namespace: string): Promise<V1Pod[]> {
  const list = await client.call(`list helper pods in ${namespace}`, () =>
    client.core.listNamespacedPod({ namespace, labelSelector: HELPER_SELECTOR }),
  );
  return list.items;
}

/**
 * Helper pods whose run is provably dead (killed with -9: its close never ran), removed; one line
 * each for the progress. Those of a live run, or of another host, are left alone.
 */
export async function clearDeadRunHelpers(client: KubeClient, namespace: string): Promise<string[]> {
  const said: string[] = [];
  for (const pod of await listHelperPods(client, namespace)) {
    const liveness = runLiveness(pod);
    if (liveness.state !== 'dead') continue;
    const name = pod.metadata?.name ?? '';
    await removeHelperPod(client, namespace, name);
    said.push(`removed helper pod ${namespace}/${name} left by a dead run (${liveness.owner})`);
  }
  return said;
}
