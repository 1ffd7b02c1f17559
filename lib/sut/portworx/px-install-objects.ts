import type { KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import type { PortworxSettings } from './portworx-config.js';
import { markInstalled } from '../postgres-on-k8s/installed-by-marker.js';
import { parsePxSpec, PxSpecError } from './px-spec-file.js';
import { renderStorageCluster } from './px-storage-cluster.js';

/** What the harness applies to install Portworx, and where it came from (for the plan and messages). */
export interface PxInstallObjects {
  readonly source: string;
  /** In apply order, each carrying the installed-by marker. */
  readonly objects: readonly KubernetesObject[];
}

/**
 * The install's objects: the user's spec file when `portworx.install.specFile` is set, else the
 * rendered StorageCluster for `nodes` (names, or a plan's placeholder). Every object is marked, so
 * uninstall can tell the harness's PX from the user's. Reads the spec file synchronously: a plan
 * and a run both need it whole before anything else, and it is a local file.
 */
export function pxInstallObjects(settings: PortworxSettings, nodes: readonly string[]): PxInstallObjects {
  const { install } = settings;
  if (install.specFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(install.specFile, 'utf8');
    } catch (err) {
      throw new PxSpecError(
        `portworx.install.specFile ${install.specFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        { cause: err },
      );
    }
    return {
      source: `spec file ${install.specFile}`,
      objects: parsePxSpec(text, install.specFile).map(markInstalled),
    };
  }
  return {
    source: 'StorageCluster rendered from portworx.install (needs the Portworx Operator installed)',
    objects: [markInstalled(renderStorageCluster(install, settings.loopDevices, nodes))],
  };
}
