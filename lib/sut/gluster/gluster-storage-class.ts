/** The StorageClass of the kube lab's replicated GlusterFS volumes (static PersistentVolumes, no provisioner). */
export const GLUSTER_STORAGE_CLASS = 'gluster-replicated';
