import { z } from 'zod';
import { DEFAULT_MARGINS } from './compare-margins.js';
import { MAX } from '../time/duration.js';
import { PLACEMENT_CHOICES } from './placement-choices.js';
import {
  duration,
  int,
  LABEL_KEY,
  LABEL_VALUE,
  number,
  oneOf,
  quantity,
  section,
  text,
} from './schema-parts.js';

/**
 * The configuration file's base sections (everything but the storage drivers' own, which each
 * driver's folder declares): YAML shape in (keys as users write them, durations with units),
 * typed config out (durations as milliseconds, fields suffixed `Ms`). Every leaf carries its own
 * "expected ..." message (schema-parts.ts) so a validation error can name the key and the form it
 * wants without dumping zod internals. The whole schema is `configSchemaWith` given the driver
 * registry's names and sections, composed once in lib/pxchaos-config.ts. Documented by
 * `pxchaos.example.yaml`.
 */

/** Scenario names the config may tune: one per fault kind (keys of the expectations table). */
export const SCENARIO_NAMES = [
  'network-partition',
  'agent-restart-within-grace',
  'agent-down-past-grace',
  'drive-offline',
] as const;

export const TARGETS = ['lab', 'kind', 'vm', 'kube'] as const;

/** `repeat`'s maximum: a scenario takes minutes, so more is a typo, not a plan. */
export const REPEAT_MAX = 1000;

const patroniSchema = section({
  // Patroni's own units are whole seconds and it enforces these minimums (dynamic configuration docs).
  ttl: duration('20s', { wholeSeconds: true, min: 20_000, max: MAX.clusterTimer }).prefault('20s'),
  loopWait: duration('2s', { wholeSeconds: true, min: 1000, max: MAX.clusterTimer }).prefault('2s'),
  retryTimeout: duration('5s', { wholeSeconds: true, min: 3000, max: MAX.clusterTimer }).prefault('5s'),
  primaryStartTimeout: duration('10s', { wholeSeconds: true, max: MAX.clusterTimer }).prefault('10s'),
})
  .refine((p) => p.loopWait + 2 * p.retryTimeout <= p.ttl, {
    error: 'expected loopWait + 2 × retryTimeout ≤ ttl (Patroni requires it)',
  })
  .transform((p) => ({
    ttlMs: p.ttl,
    loopWaitMs: p.loopWait,
    retryTimeoutMs: p.retryTimeout,
    primaryStartTimeoutMs: p.primaryStartTimeout,
  }));

const labSchema = section({
  name: z
    .string({ error: 'expected a lab name (letters, digits, dashes)' })
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, {
      error: 'expected a lab name: lowercase letters, digits, dashes (≤ 31)',
    })
    .prefault('pxchaos'),
  nodes: z
    .union([z.literal(3), z.literal(5)], { error: 'expected 3 or 5 (an odd etcd quorum the lab supports)' })
    .prefault(3),
  patroni: patroniSchema.prefault({}),
  /**
   * Patroni with upstream's etcd3 leader-key fix (Patroni 3.0.3). false runs Debian's 3.0.2 as shipped,
   * to reproduce its acknowledged-write loss on purpose (docs/lab.md).
   */
  leaderKeyFix: z.boolean({ error: 'expected true or false' }).prefault(true),
});

/**
 * pgbench's TPC-B-like transactions through the fault (lib/workload/pgbench-run.ts), small by
 * default: the kube lab runs on 2 cores over GlusterFS, and the load must not move the timings.
 */
const pgbenchRunSchema = section({
  /** false: no pgbench transactions; the check "pgbench transactions atomic and durable" says it was not run. */
  enabled: z.boolean({ error: 'expected true or false' }).prefault(true),
  /** pgbench -c. */
  clients: int(1, 99).prefault(2),
  /** pgbench -R: transactions per second, all clients together. */
  rate: number(0.1, 10_000).prefault(10),
  /** pgbench -T of one pgbench process; a new one starts after every exit. */
  segment: duration('10s', { wholeSeconds: true, min: 1000, max: MAX.scenario }).prefault('10s'),
}).transform((p) => ({
  enabled: p.enabled,
  clients: p.clients,
  ratePerSec: p.rate,
  segmentMs: p.segment,
}));

const workloadSchema = section({
  pgbenchScale: int(1, 10_000).prefault(10),
  /** Ledger writes per second. */
  writeRate: number(0.1, 1000).prefault(20),
  probeInterval: duration('100ms', { min: 10, max: 10_000 }).prefault('100ms'),
  queryTimeout: duration('2s', { min: 50, max: 300_000 }).prefault('2s'),
  pgbench: pgbenchRunSchema.prefault({}),
}).transform((w) => ({
  pgbenchScale: w.pgbenchScale,
  writeRate: w.writeRate,
  probeIntervalMs: w.probeInterval,
  queryTimeoutMs: w.queryTimeout,
  pgbench: w.pgbench,
}));

const primaryMoves = z.union([z.boolean(), z.literal('either')], { error: 'expected true, false or either' });

const thresholdsSchema = section({
  recoveryWithin: duration('60s', { max: MAX.scenario }).optional(),
  failedWritesAllowed: z.boolean({ error: 'expected true or false' }).optional(),
  primaryMoves: primaryMoves.optional(),
});

const scenarioSchema = section({
  hold: duration('40s', { max: MAX.scenario }).optional(),
  /** drive-offline only: 'error' (I/O fails) or 'hang' (I/O blocks). */
  driveMode: z.enum(['error', 'hang'], { error: 'expected error or hang' }).optional(),
  thresholds: thresholdsSchema.optional(),
}).transform((s) => ({
  holdMs: s.hold,
  driveMode: s.driveMode,
  thresholds: s.thresholds && {
    recoveryWithinMs: s.thresholds.recoveryWithin,
    failedWritesAllowed: s.thresholds.failedWritesAllowed,
    primaryMoves: s.thresholds.primaryMoves,
  },
}));

const scenariosSchema = z.partialRecord(
  z.enum(SCENARIO_NAMES, { error: `expected a scenario name: ${SCENARIO_NAMES.join(', ')}` }),
  scenarioSchema,
  {
    // zod 4 reports a key outside the enum as `unrecognized_keys`, which its types omit here.
    error: (issue) =>
      (issue.code as string) === 'unrecognized_keys'
        ? `expected a scenario name: ${SCENARIO_NAMES.join(', ')}`
        : `expected a mapping of scenario names (${SCENARIO_NAMES.join(', ')}) to settings`,
  },
);

const compareSchema = section({
  marginPercent: number(0, 10_000).prefault(DEFAULT_MARGINS.percent),
  marginMs: int(0, 86_400_000).prefault(DEFAULT_MARGINS.ms),
  /** Absolute margin for counts (failed, unknown writes); lost acknowledged writes never get one. */
  marginCount: int(0, 1_000_000).prefault(DEFAULT_MARGINS.count),
});

const kindSchema = section({
  clusterName: text().prefault('pxchaos'),
  configFile: text('a file path').prefault('kind-config.yaml'),
  kubeconfig: text('a file path').optional(),
});

const kubeResourcesSchema = section({
  cpuRequest: quantity('100m').prefault('100m'),
  memoryRequest: quantity('256Mi').prefault('256Mi'),
  cpuLimit: quantity('1').optional(),
  memoryLimit: quantity('512Mi').prefault('512Mi'),
});

const nodeAccessSchema = section({
  /** Where the helper pods go (also the run lease's namespace); made when missing, never deleted. */
  namespace: z
    .string({ error: 'expected a namespace name' })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'expected a namespace name' })
    .prefault('pxchaos-system'),
  /** The helpers' image: any with nsenter (util-linux), awk and coreutils; default: Postgres's image. */
  image: text('a container image reference').optional(),
  imagePullPolicy: z
    .enum(['Always', 'IfNotPresent', 'Never'], { error: 'expected Always, IfNotPresent or Never' })
    .optional(),
});

/**
 * Settings shared by the Kubernetes targets (kind, vm, kube). `allowedContexts` is the blast-radius guard:
 * a run faults nodes of the cluster behind the kube context, so only contexts named here are used
 * (exact names, no patterns). A kube lab's own context (`kind-<name>`, its server the lab's control
 * plane) is always allowed: it is a throwaway cluster this machine built (lib/targets/kube-context-guard.ts).
 * The rest is the Postgres StatefulSet the kind and vm targets deploy (lib/sut/postgres-on-k8s/). Settings that
 * depend on the storage driver (image, storageClass, schedulerName) default per driver there:
 * gluster → the kube lab's own image, gluster-replicated, the default scheduler; portworx →
 * postgres:15, portworx-replicated, and stork when a run detects Stork (else the default scheduler).
 * The pgbench scale is workload.pgbenchScale.
 */
function kubeSchema<const D extends string>(storageDrivers: readonly D[]) {
  return section({
    /** `--target kube`: the cluster's kubeconfig (required there) and context (default: its current one). */
    kubeconfig: text('a kubeconfig file path').optional(),
    context: text('a kubeconfig context name').optional(),
    /** `--target kube`: the privileged helper pods node commands go through (lib/nodes/pod/). */
    nodeAccess: nodeAccessSchema.prefault({}),
    allowedContexts: z
      .array(text('a kubeconfig context name'), { error: 'expected a list of kubeconfig context names' })
      .prefault([]),
    /** Storage driver under the StatefulSet; default by target: kind → gluster, vm → portworx. */
    sut: oneOf(storageDrivers).optional(),
    /** Each run gets its own namespace `<prefix>-<run id>`, labelled; only those are ever deleted. */
    namespacePrefix: z
      .string({ error: 'expected a namespace prefix (lowercase letters, digits, dashes)' })
      .regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/, {
        error:
          'expected a namespace prefix: lowercase letters, digits, dashes, starting with a letter (≤ 40)',
      })
      .prefault('pxchaos-run'),
    image: text('a container image reference').optional(),
    imagePullPolicy: z
      .enum(['Always', 'IfNotPresent', 'Never'], { error: 'expected Always, IfNotPresent or Never' })
      .optional(),
    storageClass: text('a StorageClass name').optional(),
    storageSize: quantity('1Gi').prefault('1Gi'),
    schedulerName: text('a scheduler name (stork for Portworx)').optional(),
    /** How long the pod stays bound to a NotReady/unreachable node before eviction (Kubernetes' default: 300s). */
    tolerationSeconds: duration('30s', { wholeSeconds: true, max: MAX.clusterTimer }).prefault('30s'),
    /**
     * Force-delete the Postgres pod once its node has been NotReady this long (Kubernetes never
     * replaces a StatefulSet pod on an unreachable node). Default by driver: gluster 30s; portworx
     * never when a run detects Stork with its health monitor on (Stork moves the pod), else 30s.
     */
    forceDeleteStuckPodAfter: duration('30s', { max: MAX.scenario }).optional(),
    resources: kubeResourcesSchema.prefault({}),
    nodeSelector: z
      .record(
        z.string().regex(LABEL_KEY),
        z.string({ error: 'expected a label value' }).regex(LABEL_VALUE, {
          error: 'expected a label value: ≤ 63 letters, digits, - _ . (alphanumeric at both ends)',
        }),
        {
          error: (issue) =>
            (issue.code as string) === 'invalid_key'
              ? 'expected a node label key (like kubernetes.io/os or px/enabled)'
              : 'expected a mapping of node label keys to values',
        },
      )
      .optional(),
    /** Also expose Postgres on this port of every node (type NodePort), for clients outside the cluster. */
    nodePort: int(30000, 32767).optional(),
  }).transform(({ tolerationSeconds, forceDeleteStuckPodAfter, ...k }) => ({
    ...k,
    tolerationMs: tolerationSeconds,
    forceDeleteStuckPodAfterMs: forceDeleteStuckPodAfter,
  }));
}

const fingerprint = z
  .string({ error: 'expected an SSH host key fingerprint like SHA256:<base64>' })
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, {
    error: 'expected an SSH host key fingerprint like SHA256:<base64>',
  });

const inventoryEntry = section({
  name: text('a node name'),
  host: text('a host name or address'),
  port: int(1, 65535).prefault(22),
  user: text('a user name').prefault('root'),
  keyPath: text('a private key file path'),
  // Required on purpose: without a pinned host key any machine could impersonate a node.
  hostKeyFingerprint: fingerprint,
});

const vmSchema = section({
  kubeconfig: text('a kubeconfig file path'),
  context: text('a kubeconfig context name').optional(),
  inventory: z
    .array(inventoryEntry, {
      error: 'expected a list of nodes: {name, host, port, user, keyPath, hostKeyFingerprint}',
    })
    .min(1, { error: 'expected at least one node' })
    .refine((nodes) => new Set(nodes.map((n) => n.name)).size === nodes.length, {
      error: 'expected unique node names',
    }),
});

/**
 * What the storage-driver registry (lib/sut/postgres-on-k8s/storage-drivers.ts) adds to the schema:
 * the drivers' names (`kube.sut`) and each driver's own section (like `portworx`), by its key. The
 * registry hands them over from outside: nothing here knows a driver.
 */
export interface StorageDriverSchemas<D extends string, S extends z.core.$ZodLooseShape> {
  readonly names: readonly D[];
  readonly sections: S;
}

/**
 * The configuration file's whole schema, the drivers' sections between `kube` and `vm` (an unknown
 * key's message lists the keys in this order). Composed once, with the registry's drivers, by
 * lib/pxchaos-config.ts.
 */
export function configSchemaWith<const D extends string, S extends z.core.$ZodLooseShape>(
  drivers: StorageDriverSchemas<D, S>,
) {
  return section({
    target: oneOf(TARGETS).prefault('lab'),
    reportDir: text('a directory path').prefault('reports'),
    /** Where each fault goes: primary, replica, bystander, or all (each scenario once per placement); `--placement` wins. */
    placement: oneOf(PLACEMENT_CHOICES).prefault('primary'),
    /** How many times each scenario (and placement) runs on the one arrangement; `--repeat` wins. */
    repeat: int(1, REPEAT_MAX).prefault(1),
    lab: labSchema.prefault({}),
    workload: workloadSchema.prefault({}),
    scenarios: scenariosSchema.prefault({}),
    compare: compareSchema.prefault({}),
    kind: kindSchema.prefault({}),
    kube: kubeSchema(drivers.names).prefault({}),
    ...drivers.sections,
    vm: vmSchema.optional(),
  }).superRefine((config, ctx) => {
    // The drivers' sections make the output's type generic here; these two keys are the base's.
    const c = config as {
      readonly target: Target;
      readonly vm?: unknown;
      readonly kube: { readonly kubeconfig?: string };
    };
    if (c.target === 'kube' && !c.kube.kubeconfig) {
      ctx.addIssue({
        code: 'custom',
        path: ['kube', 'kubeconfig'],
        message: 'expected kube.kubeconfig (the cluster to run on) when target is kube',
      });
    }
    if (c.target === 'vm' && !c.vm) {
      ctx.addIssue({
        code: 'custom',
        path: ['vm'],
        message: 'expected a vm section (kubeconfig, inventory) when target is vm',
      });
    }
  });
}

/**
 * The keys of the base sections that are local file paths (`*`: every item of a list): resolved
 * against the file that set them, or the working directory (load-config.ts).
 */
export const CONFIG_FILE_PATHS: readonly (readonly string[])[] = [
  ['reportDir'],
  ['kind', 'configFile'],
  ['kind', 'kubeconfig'],
  ['kube', 'kubeconfig'],
  ['vm', 'kubeconfig'],
  ['vm', 'inventory', '*', 'keyPath'],
];

export type ScenarioSettings = z.output<typeof scenarioSchema>;
export type ScenariosSettings = z.output<typeof scenariosSchema>;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
export type Target = (typeof TARGETS)[number];
/** The `kube` section; `sut` is checked against the registry's drivers when the whole config is. */
export type KubeSettings = z.output<ReturnType<typeof kubeSchema<string>>>;
export type VmSettings = z.output<typeof vmSchema>;
