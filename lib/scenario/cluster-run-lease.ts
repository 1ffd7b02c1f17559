import { connectKube } from '../k8s/kube-client.js';
import { acquireRunLease, type RunLease } from '../k8s/run-lease.js';
import type { Preflight } from '../targets/target.js';

/** A request to the API server for the lease: a partitioned or slow server fails it, it does not hang. */
const LEASE_REQUEST_TIMEOUT_MS = 15_000;

/**
 * The cluster's run lease for a run on an existing Kubernetes cluster (another machine's run there
 * refuses, exit 3); undefined for the lab, or a cluster the run is about to create.
 */
export async function takeClusterRunLease(
  preflight: Preflight,
  what: string,
  say: (line: string) => void,
): Promise<RunLease | undefined> {
  if (!preflight.leaseOn) return undefined;
  const client = await connectKube({ ...preflight.leaseOn, requestTimeoutMs: LEASE_REQUEST_TIMEOUT_MS });
  return acquireRunLease(client, { what, say });
}
