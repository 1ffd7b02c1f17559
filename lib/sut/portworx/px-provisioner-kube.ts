import { StorageV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { EnvironmentError } from '../../errors.js';
import { isNotFound } from '../../k8s/kube-api-error.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import {
  choosePxProvisioner,
  PX_CSI_PROVISIONER,
  pxInstallBringsCsi,
  type PxProvisionerSetting,
} from './px-provisioner.js';

/**
 * The provisioner of the StorageClass `storageClass` on this cluster: reads the API server's
 * version and the CSIDriver `pxd.portworx.com` (each call under the client's request deadline),
 * then choosePxProvisioner. A refusal is an EnvironmentError of one line (exit 3): the caller asks
 * before it applies anything.
 */
export async function pxProvisionerForCluster(
  client: KubeClient,
  setting: PxProvisionerSetting,
  install: readonly KubernetesObject[],
  storageClass: string,
): Promise<{ provisioner: string; reason: string }> {
  const serverVersion = await client.serverVersion();
  const csiDriver = await client
    .call(`read CSIDriver ${PX_CSI_PROVISIONER}`, () =>
      client.api(StorageV1Api).readCSIDriver({ name: PX_CSI_PROVISIONER }),
    )
    .then(
      () => true,
      (err: unknown) => {
        if (isNotFound(err)) return false;
        throw err;
      },
    );
  const installBringsCsi = pxInstallBringsCsi(install);
  const choice = choosePxProvisioner(
    { setting, csiDriver, serverVersion, ...(installBringsCsi && { installBringsCsi }) },
    storageClass,
  );
  if ('refusal' in choice) throw new EnvironmentError(choice.refusal);
  return choice;
}
