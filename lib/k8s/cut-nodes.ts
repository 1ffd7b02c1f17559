import { EventEmitter } from 'node:events';

/**
 * Nodes the harness must treat as cut off although its route to them still works: a partition made
 * through a helper pod keeps the node's kubelet port open (the helper's commands travel API server
 * → kubelet), so port-forwards and pod execs to the node's other pods would still get through where
 * a real cut stops them. While a node is listed here they behave as under a real cut: a new
 * connection gets no answer until its deadline, an open one goes silent and ends as its keepalive
 * finds out (pod-port-forward.ts, pod-exec.ts). Only the helper's own execs pass.
 */
const cut = new Map<string, number>();
const events = new EventEmitter();
// One listener per open port-forwarded connection (the ledger, the probe, pgbench's clients).
events.setMaxListeners(0);

/** Marks the node cut off; returns the function that lifts it (idempotent). */
export function markNodeCut(node: string): () => void {
  cut.set(node, (cut.get(node) ?? 0) + 1);
  events.emit('cut', node);
  let lifted = false;
  return () => {
    if (lifted) return;
    lifted = true;
    const left = (cut.get(node) ?? 1) - 1;
    if (left > 0) cut.set(node, left);
    else cut.delete(node);
  };
}

export function isNodeCut(node: string | undefined): boolean {
  return node !== undefined && cut.has(node);
}

/** Whether any node is cut now (lets callers skip a lookup otherwise). */
export function anyNodeCut(): boolean {
  return cut.size > 0;
}

/** Calls `listener` with each node as it is cut; returns the unsubscribe function. */
export function onNodeCut(listener: (node: string) => void): () => void {
  events.on('cut', listener);
  return () => events.off('cut', listener);
}

/** Resolves when the signal aborts (at once if it has): how long a cut-off node's route takes to give up. */
export function noAnswerUntil(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
