import type { SutEvent } from '../sut.js';
import type { PxStateSnapshot } from './px-state-snapshot.js';
import type { PxdTimeoutOnNode } from './pxd-timeout.js';

/**
 * pxd_timeout where it counts during a run: on the node holding the volume's attachment, whose px
 * module queues the volume's I/O while PX is down (pxd-timeout.ts: one value per node, reset to
 * 600 s whenever PX reconnects). Read once the poller first sees the volume attached (the run's
 * start), again when it is attached elsewhere, and again once PX there is back after being down
 * or unknown (a restart resets the value). Each read is one `px-pxd-timeout` event on that node.
 */
export class AttachedPxdTimeout {
  private last: { node: string; readAgain: string | undefined } | undefined;

  /** `readOn`: the value on a node (by exec in its PX pod); undefined when the node has no PX pod. */
  constructor(private readonly readOn: (node: string) => Promise<PxdTimeoutOnNode | undefined>) {}

  /** After a round, with the state so far: the event of a read, when one was due. */
  async afterRound(state: PxStateSnapshot): Promise<SutEvent | undefined> {
    const node = state.volume?.node;
    if (node === undefined) return undefined;
    if (this.last?.node !== node)
      this.last = {
        node,
        readAgain: this.last ? `after the volume was attached on ${node}` : "at the run's start",
      };
    if (state.nodes.get(node)?.status !== 'online') {
      // PX down (or not known) there: once it is back its value may have been reset.
      this.last.readAgain ??= `after PX came back on ${node}: a PX restart resets it to 600 s`;
      return undefined;
    }
    const when = this.last.readAgain;
    if (when === undefined) return undefined;
    const read = await this.readOn(node);
    if (read === undefined) return undefined;
    this.last.readAgain = undefined;
    const where = `on ${node}, the node holding the volume's attachment (read ${when})`;
    return {
      event: 'px-pxd-timeout',
      node,
      detail:
        read.seconds === undefined
          ? `pxd_timeout not read ${where}: ${read.why}`
          : `pxd_timeout ${read.seconds} s ${where}`,
    };
  }
}
