/**
 * Defaults of `portworx.install` (portworx-config.ts), apart so the schema and the renderers share
 * them without the renderers importing the schema.
 */
export const PX_INSTALL_DEFAULTS = {
  clusterName: 'pxchaos',
  /** Where the workshop's spec and the Operator's examples put PX (fixtures storagecluster-*.yaml). */
  namespace: 'kube-system',
} as const;
