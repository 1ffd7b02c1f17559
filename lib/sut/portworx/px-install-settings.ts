/**
 * Defaults of `portworx.install` (config-schema.ts), apart so the schema and the renderers share them
 * without the renderers importing the schema.
 */
export const PX_INSTALL_DEFAULTS = {
  clusterName: 'pxchaos',
  /** Where the workshop's spec and the Operator's examples put PX (fixtures storagecluster-*.yaml). */
  namespace: 'kube-system',
} as const;

/** The label selector of the PX pods: the workshop's DaemonSet and the Operator's pods (uninstall docs). */
export const PX_POD_SELECTOR = 'name=portworx';

/** pxctl inside the PX pod (the workshop's container `portworx` mounts the node's /opt/pwx). */
export const PXCTL = '/opt/pwx/bin/pxctl';
