import { CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { EnvironmentError } from '../errors.js';
import { ownerAlive, processStartTime } from '../faults/journal.js';
import { formatDuration } from '../time/duration.js';
import { ensureNamespace, MANAGED_BY_PXCHAOS, PXCHAOS_NAMESPACE } from './ensure-namespace.js';
import { isConflict, isNotFound } from './kube-api-error.js';
import type { KubeClient } from './kube-client.js';

/** The run lease lives in the namespace pxchaos owns on a cluster. */
export const LEASE_NAMESPACE = PXCHAOS_NAMESPACE;
export const LEASE_NAME = 'pxchaos-run';
/** A holder that stops renewing (kill -9, its machine gone) loses the lock this long after its last renewal. */
export const LEASE_DURATION_S = 60;
const RENEW_EVERY_MS = 15_000;
const HOLDER_ANNOTATION = 'pxchaos.io/holder';

/** Who holds the cluster's run lease, as the annotation records it. */
export interface LeaseHolder {
  readonly host: string;
  /** The kernel's boot and the pid namespace the pid is in: where `pid` means this process. */
  readonly pidSpace?: string;
  readonly pid: number;
  /** The holder process's start (/proc/PID/stat), so a reused pid is not taken for the holder. */
  readonly pidStart?: string;
  readonly startedAt: string;
  readonly what: string;
}

export interface RunLease {
  readonly holder: LeaseHolder;
  /** Aborted when the lease was lost (another holder took it over): the run should stop. */
  readonly lost: AbortSignal;
  /** Stops renewing and deletes the lease if it is still ours; idempotent. */
  release(): Promise<void>;
}

export interface RunLeaseOptions {
  readonly what: string;
  readonly say?: (line: string) => void;
  readonly namespace?: string;
  readonly name?: string;
  readonly durationS?: number;
  readonly renewEveryMs?: number;
}

/**
 * One run per cluster, from any machine: a coordination.k8s.io Lease taken before arranging and
 * renewed while the run lasts. A second run refuses (exit 3) naming the holder; a lease nobody has
 * renewed for its duration (the holder died) is taken over, with a notice. Takeover and renewal use
 * the lease's resourceVersion, so of two runs racing for it only one gets it.
 */
export async function acquireRunLease(client: KubeClient, options: RunLeaseOptions): Promise<RunLease> {
  const namespace = options.namespace ?? LEASE_NAMESPACE;
  const name = options.name ?? LEASE_NAME;
  const durationS = options.durationS ?? LEASE_DURATION_S;
  const api = client.api(CoordinationV1Api);
  const pidStart = processStartTime(process.pid);
  const pidSpace = thisPidSpace();
  const holder: LeaseHolder = {
    host: hostname(),
    ...(pidSpace !== undefined && { pidSpace }),
    pid: process.pid,
    ...(pidStart !== undefined && { pidStart }),
    startedAt: new Date().toISOString(),
    what: options.what,
  };
  const identity = `${holder.host} pid ${holder.pid}`;
  const where = `Lease ${namespace}/${name} on ${client.server}`;
  const body = (previous?: V1Lease): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      labels: MANAGED_BY_PXCHAOS,
      annotations: { [HOLDER_ANNOTATION]: JSON.stringify(holder) },
      ...(previous?.metadata?.resourceVersion && { resourceVersion: previous.metadata.resourceVersion }),
    },
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: durationS,
      acquireTime: new V1MicroTime(),
      renewTime: new V1MicroTime(),
      leaseTransitions: (previous?.spec?.leaseTransitions ?? 0) + (previous ? 1 : 0),
    },
  });

  await ensureNamespace(client, namespace);
  let lease = await client
    .call(`create ${where}`, () => api.createNamespacedLease({ namespace, body: body() }))
    .catch(async (err: unknown) => {
      if (!isConflict(err)) throw err;
      const current = await client.call(`read ${where}`, () => api.readNamespacedLease({ name, namespace }));
      const age = ageMs(current);
      const held = current.spec?.holderIdentity;
      const deadHere = held !== undefined && heldByDeadProcessHere(current);
      const fresh = age !== undefined && age < (current.spec?.leaseDurationSeconds ?? durationS) * 1000;
      if (held && fresh && !deadHere) throw busy(current, where, age);
      options.say?.(
        !held
          ? `taking the cluster's run lease (${where}), released by its last holder`
          : deadHere
            ? `taking over the cluster's run lease held by ${describe(current)}: that process, on this machine, is no longer running`
            : `taking over the cluster's run lease held by ${describe(current)}, not renewed for ${age === undefined ? 'an unknown time' : formatDuration(age)}: its run is gone`,
      );
      return client
        .call(`take over ${where}`, () =>
          api.replaceNamespacedLease({ name, namespace, body: body(current) }),
        )
        .catch(async (raced: unknown) => {
          if (!isConflict(raced)) throw raced;
          const winner = await client.call(`read ${where}`, () =>
            api.readNamespacedLease({ name, namespace }),
          );
          throw busy(winner, where, ageMs(winner) ?? 0);
        });
    });

  const lost = new AbortController();
  let released = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    const next = { ...lease, spec: { ...lease.spec, renewTime: new V1MicroTime() } };
    try {
      lease = await client.call(`renew ${where}`, () =>
        api.replaceNamespacedLease({ name, namespace, body: next }),
      );
    } catch (err) {
      if (released) return;
      if (isConflict(err) || isNotFound(err)) {
        lost.abort(new Error(`the cluster's run lease was taken from this run: ${(err as Error).message}`));
        options.say?.(`lost the cluster's run lease (${where}): ${(err as Error).message}`);
        clearInterval(timer);
      } else
        options.say?.(`renewing the cluster's run lease failed, trying again: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(() => {
    renewing = renew();
  }, options.renewEveryMs ?? RENEW_EVERY_MS);
  timer.unref();

  return {
    holder,
    lost: lost.signal,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing;
      if (lost.signal.aborted) return;
      const resourceVersion = lease.metadata?.resourceVersion;
      await client
        .call(`delete ${where}`, () =>
          api.deleteNamespacedLease({
            name,
            namespace,
            body: { preconditions: { ...(resourceVersion && { resourceVersion }) } },
          }),
        )
        .catch((err: unknown) => {
          if (!isNotFound(err) && !isConflict(err))
            options.say?.(`releasing the run lease: ${(err as Error).message}`);
        });
    },
  };
}

/**
 * This boot of the kernel and this pid namespace (two containers on one machine share the boot but
 * not their pids); undefined off Linux.
 */
function thisPidSpace(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

/**
 * A holder on this machine, in this pid namespace, whose process is gone (killed with -9): no need
 * to wait out the lease's duration, as the file lock does not wait for a dead pid either.
 */
function heldByDeadProcessHere(lease: V1Lease): boolean {
  const h = holderOf(lease);
  if (!h || h.host !== hostname() || h.pidSpace === undefined || h.pidSpace !== thisPidSpace()) return false;
  return !ownerAlive(h);
}

/** Milliseconds since the lease was last renewed, by this machine's clock. */
function ageMs(lease: V1Lease): number | undefined {
  const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  const at = renewed === undefined ? NaN : new Date(renewed).getTime();
  return Number.isNaN(at) ? undefined : Math.max(0, Date.now() - at);
}

function holderOf(lease: V1Lease): LeaseHolder | undefined {
  const text = lease.metadata?.annotations?.[HOLDER_ANNOTATION];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LeaseHolder;
  } catch {
    return undefined;
  }
}

function describe(lease: V1Lease): string {
  const h = holderOf(lease);
  return h
    ? `${h.what} from ${h.host} (pid ${h.pid}, started ${h.startedAt})`
    : `'${lease.spec?.holderIdentity ?? 'unknown'}'`;
}

function busy(lease: V1Lease, where: string, ageMs: number): EnvironmentError {
  return new EnvironmentError(
    `the cluster is busy: ${describe(lease)} holds its run lease (${where}, renewed ${formatDuration(ageMs)} ago); wait for that run, or for the lease to expire ${lease.spec?.leaseDurationSeconds ?? LEASE_DURATION_S} s after its holder stops renewing it`,
  );
}
