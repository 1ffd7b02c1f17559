import type { PortworxSettings } from '../../config/config-schema.js';

/**
 * Where the PX pods are and which container runs pxctl (config `portworx.pxPods`; defaults: the
 * workshop's DaemonSet and the Operator's pods, `name=portworx` in kube-system, container `portworx`).
 */
export type PxPods = PortworxSettings['pxPods'];
