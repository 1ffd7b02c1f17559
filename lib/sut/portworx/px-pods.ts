import type { PortworxSettings } from './portworx-config.js';

/**
 * Where the PX pods are and which container runs pxctl (config `portworx.pxPods`; defaults: the
 * workshop's DaemonSet and the Operator's pods, `name=portworx`, container `portworx`).
 * `namespaceGiven` false: `namespace` is where to look first, then the other usual namespaces
 * (find-px-pods.ts); absent or true: there only (the config named it, or the harness installed PX
 * there).
 */
export type PxPods = Omit<PortworxSettings['pxPods'], 'namespaceGiven'> & {
  readonly namespaceGiven?: boolean;
};
