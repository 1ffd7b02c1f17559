import type { ReplicaNodes, ReplicaNodesRequest } from '../postgres-on-k8s/replica-nodes.js';
import { LOCAL_VOLUME_LABEL } from './local-storage-objects.js';

/** The one node holding the volume's data: the node its PersistentVolume is pinned to. */
export function localVolumeNode(request: ReplicaNodesRequest): Promise<ReplicaNodes> {
  const node = request.volume.metadata?.labels?.[LOCAL_VOLUME_LABEL];
  return Promise.resolve(
    node
      ? [{ name: node, role: 'local volume' }]
      : {
          unknown: `PersistentVolume ${request.volume.metadata?.name ?? '?'} is not one of the local driver's`,
        },
  );
}
