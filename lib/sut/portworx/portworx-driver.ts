import { PXCTL } from './pxctl-path.js';
import { PORTWORX_RECOVERY_PHASES } from './portworx-phases.js';
import { portworxClusterStorage } from './portworx-cluster-storage.js';
import { portworxAgentCommands } from './portworx-agent-stop.js';
import { portworxDriveCommands, portworxScsiDriveCommands } from './portworx-node-commands.js';
import { provisionPortworxStorage, teardownPortworxStorage } from './px-provision-kube.js';
import { pxDmName } from './loop-device-script.js';
import { detectPortworxSetup } from './portworx-detected-setup.js';
import { watchPxState } from './watch-px-state.js';
import { PORTWORX_STORAGE_CLASS } from './portworx-storage-class.js';
import type { StorageDriverProfile } from '../postgres-on-k8s/storage-driver-profile.js';
import { PORTWORX_CONFIG, type PortworxConfig } from './portworx-config.js';

/** Portworx under the Postgres StatefulSet: Stork, PX agents and drives, detected setup (portworx.md). */
export const PORTWORX_DRIVER = {
  name: 'portworx',
  // The config file's `portworx:` section (portworx-config.ts).
  config: PORTWORX_CONFIG,
  // The workshop's StorageClass: repl "2", priority_io high.
  storageClass: PORTWORX_STORAGE_CLASS,
  // Stork's extender places the pod on a node holding a replica (portworx.md). What a plan shows:
  // a run names it only when Stork is detected (portworxRecovery), else default-scheduler.
  schedulerName: 'stork',
  image: { ref: 'postgres:15', pullPolicy: 'IfNotPresent' },
  // px/service=stop then systemctl stop (default), either alone, or pkill -9 px-storage (config
  // portworx.agentStop); every stop but the crash is checked to last the whole hold.
  agent: (node, config) => portworxAgentCommands(config.portworx.agentStop, node),
  // The PX drive behind the loop-device layer's dm device on that node (loop-device-script.ts);
  // a node without it refuses the fault, naming what is missing.
  drive: (node, config) =>
    config.portworx.scsiDrive
      ? portworxScsiDriveCommands(config.portworx.scsiDrive)
      : portworxDriveCommands(pxDmName(node)),
  // Health is the pod's and Postgres'; PX's own state goes into the timeline (watchState).
  partitionProbePort: 9001, // PX's management port, on every PX node (portworx.md: 9001-9022)
  checksNodes: false,
  versionCommand: [PXCTL, '--version'],
  // No static forceDeleteStuckPodAfterMs nor expectations: both depend on Stork (its health
  // monitor moves pods off a node whose PX is down) and on the StorageClass's repl, which a run
  // detects (portworx-detected-setup.ts); a plan shows no expectations.
  expectations: {},
  placedExpectations: {},
  recoveryPhases: PORTWORX_RECOVERY_PHASES,
  // A replica placement is refused: which nodes hold the volume is in `pxctl volume inspect`,
  // which the harness does not read yet.
  replicaNodes: () =>
    Promise.resolve({
      unknown:
        "the Portworx volume's replica nodes are not readable yet (pxctl volume inspect is not read by the harness)",
    }),
  detect: detectPortworxSetup,
  // Workshop-style loop-device drives and the StorageClass (issue 11).
  clusterStorage: (config, settings) => portworxClusterStorage(config.portworx, settings.storageClass),
  watchState: (config, context) => watchPxState(config.portworx, context),
  provisionStorage: (ctx) => provisionPortworxStorage(ctx),
  teardownStorage: (ctx) => teardownPortworxStorage(ctx),
} satisfies StorageDriverProfile<'portworx', PortworxConfig>;
