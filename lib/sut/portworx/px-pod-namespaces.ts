/**
 * Where Portworx installs run the PX pods (label `name=portworx`, container `portworx`): kube-system
 * for the spec generator's DaemonSet (every recorded spec, ../shared/fixtures/portworx/daemonset-*.yaml;
 * torpedo's `PXNamespace`), `portworx` for current Operator installs, the same two places Stork is
 * looked for (find-stork-deployment.ts). Apart so the driver's config section (portworx-config.ts)
 * can name them without importing the Kubernetes client.
 */
export const PX_POD_NAMESPACES = ['kube-system', 'portworx'] as const;
