import { NodeGoneError } from '../nodes/exec-errors.js';
import type { NodeAccess } from '../nodes/node-access.js';

/** How often the nodes are looked at while a fault is held: a vanished target is known in seconds. */
const EVERY_MS = 2000;
const PROBE_TIMEOUT_MS = 5000;

/**
 * Watches that the target's nodes still exist while a scenario runs (`lab down` under a running
 * scenario). A node that answers slowly or not at all is the fault's business; only a node that is
 * gone (NodeGoneError: container removed, machine deleted) counts. `gone` is then one line.
 */
export class TargetPresence {
  gone: string | undefined;
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly nodes: readonly NodeAccess[]) {
    this.timer = setInterval(() => void this.look(), EVERY_MS);
    this.timer.unref();
  }

  /** Throws the one-line reason once a node is gone. */
  throwIfGone(): void {
    if (this.gone !== undefined) throw new Error(this.gone);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    if (this.busy || this.gone !== undefined) return;
    this.busy = true;
    try {
      await Promise.all(
        this.nodes.map((node) =>
          node.exec(['true'], { timeoutMs: PROBE_TIMEOUT_MS, check: false }).catch((err: unknown) => {
            if (err instanceof NodeGoneError && this.gone === undefined)
              this.gone = `target vanished: node ${node.name} is gone (${err.reason}); was the lab taken down?`;
          }),
        ),
      );
    } finally {
      this.busy = false;
    }
  }
}
