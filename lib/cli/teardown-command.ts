import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { connectKube } from '../k8s/kube-client.js';
import { acquireRunLock } from '../scenario/run-lock.js';
import { postgresK8sSettings, STORAGE_DRIVER_PROFILES } from '../sut/postgres-on-k8s/storage-drivers.js';
import { storageDriverOf } from '../targets/kube-target-traits.js';
import { KUBE_TARGETS, kubeTargetTraits, targetFor } from '../targets/targets.js';
import { describeRunNamespace, listRunNamespaces } from '../sut/postgres-on-k8s/dead-run-namespaces.js';
import { progressPrinter } from './cli-output.js';
import { type PxchaosConfig, loadConfig } from '../pxchaos-config.js';

/**
 * Undoes what runs provisioned for the configured storage driver on the target's cluster (portworx:
 * PX if the harness installed it, the loop-device DaemonSet, each node's loop device and backing
 * file, the StorageClass), only what carries the harness's marker; one line per step. Holds the
 * cluster's run lock: a run in progress keeps its storage.
 */
export async function teardownClusterStorage(
  config: PxchaosConfig,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const traits = kubeTargetTraits(config.target);
  if (!traits)
    throw new UsageError(
      `teardown: --target ${KUBE_TARGETS.join('|')} is required (the lab has its own: pxchaos lab down)`,
    );
  const driver = storageDriverOf(config, traits);
  const profile = STORAGE_DRIVER_PROFILES[driver];
  if (!profile.teardownStorage) {
    progress(profile.noTeardown ?? `nothing to tear down for ${driver}`);
    return;
  }
  const target = targetFor(config);
  const { lockName } = await target.preflight(signal);
  const lock = await acquireRunLock(lockName, { say: progress, what: 'pxchaos teardown' });
  try {
    const cluster = await target.clusterAccess?.(signal);
    if (!cluster) {
      progress(`nothing to tear down: no ${config.target} cluster exists`);
      return;
    }
    try {
      const client = await connectKube({ kubeconfig: cluster.kubeconfig, context: cluster.context });
      const settings = postgresK8sSettings(config.kube, driver);
      // Run namespaces are a run's, not the storage's: listed (a dead run's hold a volume), not removed.
      const leftovers = await listRunNamespaces(client, settings.namespacePrefix);
      progress(
        leftovers.length
          ? `leftover run namespaces: ${leftovers.map((ns) => describeRunNamespace(ns, cluster.context)).join('; ')}`
          : 'no leftover run namespaces',
      );
      progress(`tearing down the ${driver} storage pxchaos provisioned on ${cluster.where}`);
      await profile.teardownStorage({
        config,
        settings,
        client,
        nodeAccess: (node) => cluster.nodeAccess(node),
        progress,
        ...(signal && { signal }),
      });
    } finally {
      await cluster.close();
    }
  } finally {
    lock.release();
  }
}

/** `pxchaos teardown --target kind|vm|kube [--config FILE]`. */
export function registerTeardownCommand(program: Command): void {
  program
    .command('teardown')
    .description(
      'remove the storage runs provisioned on the cluster (portworx: PX if pxchaos installed it, loop devices, StorageClass); idempotent',
    )
    .option('--target <target>', 'kind | vm (default: the config)')
    .option('--config <file>', 'configuration file (default: pxchaos.yaml when present)')
    .action(async (opts: { target?: string; config?: string }) => {
      const config = await loadConfig({
        ...(opts.config !== undefined && { file: opts.config }),
        ...(opts.target !== undefined && { overrides: { target: opts.target } }),
      });
      await teardownClusterStorage(config, progressPrinter());
    });
}
