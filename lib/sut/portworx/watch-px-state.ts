import type { PortworxSettings } from './portworx-config.js';
import {
  runVolumeName,
  type StorageStateWatch,
  type StorageStateWatchContext,
} from '../postgres-on-k8s/storage-state-watch.js';
import { PxStatePoller } from './px-state-poller.js';

/** The portworx profile's `watchState`: PX's node and volume state polled into the timeline every 5 s. */
export function watchPxState(
  settings: PortworxSettings,
  context: StorageStateWatchContext,
): StorageStateWatch {
  const { client, namespace, onEvent, signal } = context;
  const poller = new PxStatePoller({
    client,
    pxPods: settings.pxPods,
    volumeName: (s) => runVolumeName(client, namespace, s),
    onEvent,
    signal,
  });
  poller.start();
  return poller;
}
