import type { Command } from 'commander';
import { Document } from 'yaml';
import { UsageError } from '../errors.js';
import { generatePassword } from '../sut/postgres-on-k8s/postgres-secret.js';
import { newRunId } from '../sut/postgres-on-k8s/run-namespace.js';
import { isStorageDriver, STORAGE_DRIVERS } from '../sut/postgres-on-k8s/storage-drivers.js';
import { KUBE_TARGETS, kubeTargetTraits } from '../targets/targets.js';
import { buildPlan } from '../plan/plan-document.js';
import { loadConfig } from '../pxchaos-config.js';

/** Where the plan goes and where a run's random values come from; replaceable in tests. */
export interface PlanCommandIo {
  out(text: string): void;
  generatePassword(): string;
  newRunId(): string;
}

const processIo: PlanCommandIo = {
  out: (text) => process.stdout.write(text),
  generatePassword,
  newRunId,
};

interface PlanFlags {
  target?: string;
  sut?: string;
  config?: string;
}

const HEADER = [
  ' pxchaos plan: what a run would apply and run. Nothing was applied, run or contacted.',
  ' The run id, fault ids and chain names are drawn afresh per run; <...> are decided at run time.',
  ' The Secret is shown redacted: its password is generated per run and never printed.',
].join('\n');

/**
 * `pxchaos plan --target kind|vm|kube [--sut gluster|portworx] [--config FILE]`: prints, as YAML, the
 * storage driver's cluster-level objects (portworx: loop-device DaemonSet, StorageClass), every
 * manifest of the Postgres StatefulSet and every node command of the four faults. Touches nothing:
 * no Docker, no cluster, no kubeconfig, no SSH.
 */
export function registerPlanCommand(program: Command, io: PlanCommandIo = processIo): Command {
  return program
    .command('plan')
    .description('print the manifests and node commands a Kubernetes run would apply, touching nothing')
    .option(
      '--target <target>',
      `${KUBE_TARGETS.join(' or ')} (default: the config's target when it is one of them)`,
    )
    .option(
      '--sut <driver>',
      `storage driver: ${STORAGE_DRIVERS.join(' or ')} (default: kube.sut, else ${defaults()})`,
    )
    .option('--config <file>', 'configuration file')
    .action(async (_opts: PlanFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<PlanFlags>();
      const config = await loadConfig(flags.config !== undefined ? { file: flags.config } : {});
      const target = flags.target ?? (kubeTargetTraits(config.target) ? config.target : undefined);
      if (target === undefined)
        throw new UsageError(
          `plan: --target ${KUBE_TARGETS.join('|')} is required (the lab target runs Patroni, not manifests)`,
        );
      const traits = kubeTargetTraits(target);
      if (!traits)
        throw new UsageError(`plan: --target must be ${KUBE_TARGETS.join(' or ')}, got '${target}'`);
      const driver = flags.sut ?? config.kube.sut ?? traits.defaultDriver;
      if (!isStorageDriver(driver))
        throw new UsageError(`plan: --sut must be ${STORAGE_DRIVERS.join(' or ')}, got '${driver}'`);
      const plan = await buildPlan({
        target,
        traits,
        driver,
        config,
        runId: io.newRunId(),
        password: io.generatePassword(),
      });
      // No anchors/aliases for shared sub-objects: every manifest must read (and apply) on its own.
      const doc = new Document(plan, { aliasDuplicateObjects: false });
      doc.commentBefore = HEADER;
      io.out(doc.toString({ lineWidth: 0 }));
    });
}

/** "gluster for kind, portworx for vm": each Kubernetes target's default driver. */
function defaults(): string {
  return KUBE_TARGETS.map((t) => `${kubeTargetTraits(t)?.defaultDriver} for ${t}`).join(', ');
}
