import { z } from 'zod';
import { DEFAULT_MARGINS } from './compare-margins.js';
import { DurationTooLongError, formatLimit, MAX, parseDuration } from '../time/duration.js';
import {
  checkImageReference,
  checkNodeDirectory,
  DEFAULT_LOOP_DEVICE_SETTINGS as LOOP_DEFAULTS,
  loopFileBytes,
} from '../sut/portworx/loop-device-settings.js';
import { PX_AGENT_STOP_METHODS } from '../sut/portworx/portworx-agent-stop.js';
import { PX_INSTALL_DEFAULTS } from '../sut/portworx/px-install-settings.js';
import { PX_PROVISIONER_SETTINGS } from '../sut/portworx/px-provisioner.js';
import { PX_POD_NAMESPACES } from '../sut/portworx/px-pod-namespaces.js';
import { PLACEMENT_CHOICES } from './placement-choices.js';

/**
 * The configuration file's schema: YAML shape in (keys as users write them, durations with
 * units), typed config out (durations as milliseconds, fields suffixed `Ms`). Every leaf
 * carries its own "expected ..." message so a validation error can name the key and the
 * form it wants without dumping zod internals. Documented by `pxchaos.example.yaml`.
 */

/** Scenario names the config may tune: one per fault kind (keys of the expectations table). */
export const SCENARIO_NAMES = [
  'network-partition',
  'agent-restart-within-grace',
  'agent-down-past-grace',
  'drive-offline',
] as const;

export const TARGETS = ['lab', 'kind', 'vm'] as const;

/** A duration with a unit → milliseconds. Bare numbers are refused (is `20` seconds or ms?). */
function duration(example: string, opts: { min?: number; max?: number; wholeSeconds?: boolean } = {}) {
  const max = opts.max ?? MAX.config;
  const expected = opts.wholeSeconds
    ? `expected a duration in whole seconds with a unit (like ${example})`
    : `expected a duration with a unit (like ${example}; units: ms, s, m, h)`;
  return z.string({ error: expected }).transform((text, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(text, 'duration', { maxMs: max });
    } catch (err) {
      // No timer may be set past what setTimeout holds: every duration has a maximum (docs/run-safety.md).
      const message = err instanceof DurationTooLongError ? `expected at most ${formatLimit(max)}` : expected;
      ctx.addIssue({ code: 'custom', message, input: text });
      return z.NEVER;
    }
    if (opts.wholeSeconds && ms % 1000 !== 0) {
      ctx.addIssue({ code: 'custom', message: expected, input: text });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) {
      ctx.addIssue({ code: 'custom', message: `expected at least ${opts.min}ms (got ${text})`, input: text });
      return z.NEVER;
    }
    return ms;
  });
}

function int(min: number, max: number) {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, {
    error: expected,
  });
}

function number(min: number, max: number) {
  const expected = `expected a number from ${min} to ${max}`;
  return z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

function text(what = 'a non-empty string') {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}

/** A strict section: unknown keys are errors (typos must not be silently ignored). */
function section<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `expected one of: ${known}`
        : issue.code === 'invalid_type'
          ? `expected a mapping with keys: ${known}`
          : undefined,
  });
}

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

/** Storage drivers a Postgres StatefulSet on Kubernetes can run on (lib/sut/postgres-on-k8s/). */
export const STORAGE_DRIVERS = ['gluster', 'portworx'] as const;

/** A Kubernetes resource quantity (1Gi, 500Mi, 250m, 2). */
function quantity(example: string) {
  const expected = `expected a Kubernetes quantity (like ${example}; suffixes m, k, M, G, Ki, Mi, Gi, Ti)`;
  return z
    .string({ error: expected })
    .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, { error: expected });
}

/** A Kubernetes label key or value: ≤ 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends (key may carry a DNS prefix/). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const kubeResourcesSchema = section({
  cpuRequest: quantity('100m').prefault('100m'),
  memoryRequest: quantity('256Mi').prefault('256Mi'),
  cpuLimit: quantity('1').optional(),
  memoryLimit: quantity('512Mi').prefault('512Mi'),
});

/**
 * Settings shared by the Kubernetes targets (kind, vm). `allowedContexts` is the blast-radius guard:
 * a run faults nodes of the cluster behind the kube context, so only contexts named here are used
 * (exact names, no patterns). A kube lab's own context (`kind-<name>`, its server the lab's control
 * plane) is always allowed: it is a throwaway cluster this machine built (lib/targets/kube-context-guard.ts).
 * The rest is the Postgres StatefulSet the kind and vm targets deploy (lib/sut/postgres-on-k8s/). Settings that
 * depend on the storage driver (image, storageClass, schedulerName) default per driver there:
 * gluster → the kube lab's own image, gluster-replicated, the default scheduler; portworx →
 * postgres:15, portworx-replicated, and stork when a run detects Stork (else the default scheduler).
 * The pgbench scale is workload.pgbenchScale.
 */
const kubeSchema = section({
  allowedContexts: z
    .array(text('a kubeconfig context name'), { error: 'expected a list of kubeconfig context names' })
    .prefault([]),
  /** Storage driver under the StatefulSet; default by target: kind → gluster, vm → portworx. */
  sut: z.enum(STORAGE_DRIVERS, { error: `expected one of: ${STORAGE_DRIVERS.join(', ')}` }).optional(),
  /** Each run gets its own namespace `<prefix>-<run id>`, labelled; only those are ever deleted. */
  namespacePrefix: z
    .string({ error: 'expected a namespace prefix (lowercase letters, digits, dashes)' })
    .regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/, {
      error: 'expected a namespace prefix: lowercase letters, digits, dashes, starting with a letter (≤ 40)',
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

/** A string `check` accepts (it throws otherwise); one message for every way it can fail. */
function checked(expected: string, check: (value: string) => unknown) {
  return z.string({ error: expected }).refine(
    (value) => {
      try {
        check(value);
        return true;
      } catch {
        return false;
      }
    },
    { error: expected },
  );
}

/**
 * The loop devices Portworx gets as drives on kind or VMs without spare disks (workshop-style,
 * lib/sut/portworx/loop-device-daemonset.ts). These values go into a root script on every node:
 * checked here with the renderer's own checks, and shell-quoted there.
 */
const loopDevicesSchema = section({
  /**
   * Whether a run provisions them (and `pxchaos teardown` removes them): off by default, since a
   * cluster with real disks for Portworx needs none.
   */
  enabled: z.boolean({ error: 'expected true or false' }).prefault(false),
  namespace: z
    .string({ error: 'expected a namespace name (lowercase letters, digits, dashes)' })
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
      error: 'expected a namespace name: lowercase letters, digits, dashes (≤ 63)',
    })
    .prefault(LOOP_DEFAULTS.namespace),
  directory: checked(
    'expected an absolute directory on the nodes, other than /, without ".." or newlines',
    checkNodeDirectory,
  ).prefault(LOOP_DEFAULTS.directory),
  size: checked(
    'expected a size of at least 1Gi, a whole number with an optional unit (like 10Gi or 20G; Ki Mi Gi Ti K M G T)',
    loopFileBytes,
  ).prefault(LOOP_DEFAULTS.size),
  /** A device-mapper linear device over each loop device, so the drive-offline fault can fail it. */
  deviceMapper: z.boolean({ error: 'expected true or false' }).prefault(LOOP_DEFAULTS.deviceMapper),
  image: checked('expected a container image reference without spaces', checkImageReference).prefault(
    LOOP_DEFAULTS.image,
  ),
  initImage: checked('expected a container image reference without spaces', checkImageReference).prefault(
    LOOP_DEFAULTS.initImage,
  ),
});

/**
 * Installing Portworx itself (lib/sut/portworx/px-install-objects.ts): off by default, since most
 * users already run PX. From `specFile` (what Portworx's spec generator emits) when set, else an
 * Operator StorageCluster rendered from these settings (the Operator itself must be installed).
 */
const pxInstallSchema = section({
  enabled: z.boolean({ error: 'expected true or false' }).prefault(false),
  /** A multi-document YAML spec; relative to the config file. */
  specFile: text('a spec file path').optional(),
  /** The StorageCluster's name (PX's cluster name) and namespace when no specFile is given. */
  clusterName: z
    .string({ error: 'expected a cluster name (lowercase letters, digits, dashes)' })
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
      error: 'expected a cluster name: lowercase letters, digits, dashes (≤ 63)',
    })
    .prefault(PX_INSTALL_DEFAULTS.clusterName),
  namespace: z
    .string({ error: 'expected a namespace name (lowercase letters, digits, dashes)' })
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
      error: 'expected a namespace name: lowercase letters, digits, dashes (≤ 63)',
    })
    .prefault(PX_INSTALL_DEFAULTS.namespace),
  /** The StorageCluster's `spec.image` (the Operator's default when unset). */
  image: checked('expected a container image reference without spaces', checkImageReference).optional(),
  /** torpedo's budget for "PX is up" (portworx.md: 15 min, polled every 10 s). */
  healthTimeout: duration('15m', { min: 10_000, max: MAX.scenario }).prefault('15m'),
}).transform(({ healthTimeout, ...i }) => ({ ...i, healthTimeoutMs: healthTimeout }));

/**
 * Where the PX pods are (lib/sut/portworx/find-px-pods.ts). `namespace` out is where to look first
 * (the given one, else kube-system), `namespaceGiven` whether to look there only.
 */
const pxPodsSchema = section({
  namespace: text('a namespace name').optional(),
  labelSelector: text('a label selector').prefault('name=portworx'),
  container: text('a container name').prefault('portworx'),
}).transform(({ namespace, ...pods }) => ({
  ...pods,
  namespace: namespace ?? PX_POD_NAMESPACES[0],
  namespaceGiven: namespace !== undefined,
}));

/** Settings of the portworx storage driver beyond the StatefulSet's (which are `kube`). */
const portworxSchema = section({
  loopDevices: loopDevicesSchema.prefault({}),
  /**
   * How the agent faults take PX down on a node (lib/sut/portworx/portworx-agent-stop.ts): the
   * px/service=stop|start node label and systemctl stop|start portworx (the default, as torpedo
   * does), either alone, or pkill -9 px-storage (within grace only: PX restarts itself).
   */
  agentStop: z
    .enum(PX_AGENT_STOP_METHODS, { error: `expected one of: ${PX_AGENT_STOP_METHODS.join(', ')}` })
    .prefault('label+systemctl'),
  /**
   * Where the PX pods are, read by exec for PX's node and volume state (px-state-poller.ts). With no
   * namespace they are looked for in kube-system and portworx (find-px-pods.ts), as Stork is.
   */
  pxPods: pxPodsSchema.prefault({}),
  install: pxInstallSchema.prefault({}),
  /**
   * The provisioner of the `portworx-replicated` StorageClass (lib/sut/portworx/px-provisioner.ts):
   * `auto` decides from the cluster before anything is applied (pxd.portworx.com where its CSIDriver
   * exists or the install brings it, the in-tree plugin before Kubernetes 1.31, else refused);
   * `csi` or `in-tree` says it outright.
   */
  provisioner: z
    .enum(PX_PROVISIONER_SETTINGS, { error: `expected one of: ${PX_PROVISIONER_SETTINGS.join(', ')}` })
    .prefault('auto'),
  /**
   * A real SCSI disk PX uses (its kernel name, e.g. `sdb`, the same on every node): drive-offline
   * then sets /sys/block/<dev>/device/state to offline (I/O fails; a SCSI disk cannot hang) instead
   * of acting on the loop-device layer's dm device.
   */
  scsiDrive: z
    .string({ error: 'expected a block device kernel name like sdb' })
    .regex(/^[a-z][a-z0-9]{0,31}$/, { error: 'expected a block device kernel name like sdb (no /dev/)' })
    .optional(),
});

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

export const configSchema = section({
  target: z.enum(TARGETS, { error: `expected one of: ${TARGETS.join(', ')}` }).prefault('lab'),
  reportDir: text('a directory path').prefault('reports'),
  /** Where each fault goes: primary, replica, bystander, or all (each scenario once per placement); `--placement` wins. */
  placement: z
    .enum(PLACEMENT_CHOICES, { error: `expected one of: ${PLACEMENT_CHOICES.join(', ')}` })
    .prefault('primary'),
  lab: labSchema.prefault({}),
  workload: workloadSchema.prefault({}),
  scenarios: scenariosSchema.prefault({}),
  compare: compareSchema.prefault({}),
  kind: kindSchema.prefault({}),
  kube: kubeSchema.prefault({}),
  portworx: portworxSchema.prefault({}),
  vm: vmSchema.optional(),
}).superRefine((c, ctx) => {
  if (c.target === 'vm' && !c.vm) {
    ctx.addIssue({
      code: 'custom',
      path: ['vm'],
      message: 'expected a vm section (kubeconfig, inventory) when target is vm',
    });
  }
});

/** The validated configuration; durations in milliseconds, paths absolute. */
export type PxchaosConfig = z.output<typeof configSchema> & {
  /** The YAML file it came from, if any (absolute path). */
  readonly source?: string;
};

export type ScenarioSettings = z.output<typeof scenarioSchema>;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
export type Target = (typeof TARGETS)[number];
export type StorageDriver = (typeof STORAGE_DRIVERS)[number];
export type KubeSettings = z.output<typeof kubeSchema>;
export type PortworxSettings = z.output<typeof portworxSchema>;
export type PxInstallSettings = z.output<typeof pxInstallSchema>;
