import type { KubeClient } from './kube-client.js';
import {
  watchObjects,
  type KubeObjectLike,
  type ObjectWatch,
  type WatchEvent,
  type WatchOptions,
} from './watch-objects.js';

export interface TransitionWatchOptions extends WatchOptions {
  /** Report what the first list shows as transitions from nothing (default: record it silently). */
  readonly reportInitial?: boolean;
}

/**
 * A watch whose objects are remembered as views (by uid) and whose changes become what
 * `transitions` makes of them (the view before, the event). What the first list shows is the
 * starting state: recorded, not reported, unless `reportInitial`.
 */
export function watchTransitions<T extends KubeObjectLike, V, E>(
  client: KubeClient,
  path: string,
  view: (o: T) => V,
  transitions: (before: V | undefined, event: WatchEvent<T>) => readonly E[],
  onEvent: (e: E) => void,
  options: TransitionWatchOptions = {},
): ObjectWatch {
  const { reportInitial, onNotice, ...watchOptions } = options;
  const known = new Map<string, V>();
  let listed = false;
  return watchObjects<T>(
    client,
    path,
    (event) => {
      const uid = event.object.metadata?.uid ?? '';
      if (listed || reportInitial) for (const e of transitions(known.get(uid), event)) onEvent(e);
      if (event.type === 'DELETED') known.delete(uid);
      else known.set(uid, view(event.object));
    },
    {
      ...watchOptions,
      onNotice: (n) => {
        if (n.kind === 'listed') listed = true;
        onNotice?.(n);
      },
    },
  );
}
