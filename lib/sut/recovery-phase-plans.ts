import { PATRONI_RECOVERY_PHASES } from './patroni/patroni-phases.js';
import { PatroniSut } from './patroni/patroni-sut.js';
import { isStorageDriver, STORAGE_DRIVER_PROFILES } from './postgres-on-k8s/storage-drivers.js';
import type { RecoveryPhasePlans } from './recovery-phases.js';

/**
 * A SUT's recovery phases by its name as a timeline records it (`sut`): the lab's Patroni, or the
 * storage driver Postgres runs on (its profile's `recoveryPhases`), so that `pxchaos report render`
 * splits a saved timeline the same way the run did. Undefined for a SUT this harness does not know.
 */
export function recoveryPhasesOf(sut: string): RecoveryPhasePlans | undefined {
  if (sut === PatroniSut.NAME) return PATRONI_RECOVERY_PHASES;
  return isStorageDriver(sut) ? STORAGE_DRIVER_PROFILES[sut].recoveryPhases : undefined;
}
