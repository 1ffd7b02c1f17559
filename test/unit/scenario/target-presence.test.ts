import { expect } from 'chai';
import { CommandFailedError, ConnectionLostError, NodeGoneError } from '../../../lib/nodes/exec-errors.js';
import type { NodeAccess } from '../../../lib/nodes/node-access.js';
import { TargetPresence } from '../../../lib/scenario/target-presence.js';
import { waitFor } from '../../support/wait-for.js';

const SCRIPT = ['sh', '-c', 'set -e\nfor c in a b; do\n  iptables -F "$c"\ndone\nexit 0', 'revert'];

function node(name: string, behaviour: () => Promise<never> | undefined): NodeAccess {
  return {
    name,
    address: { kind: 'docker', container: `h13-${name}` },
    exec: (argv) =>
      behaviour() ??
      Promise.resolve({ node: name, argv, stdout: '', stderr: '', exitCode: 0, durationMs: 1 }),
    close: () => Promise.resolve(),
  };
}

describe('a vanished target is told in seconds, in one line', () => {
  it('TargetPresence names the node that is gone; a slow or unreachable node is not gone', async () => {
    let removed = false;
    let looks = 0;
    const nodes = [
      node('n1', () => {
        looks++;
        return undefined;
      }),
      node('n2', () => Promise.reject(new ConnectionLostError('n2', ['true'], 'partitioned'))),
      node('n3', () =>
        removed ? Promise.reject(new NodeGoneError('n3', ['true'], 'No such container: h13-n3')) : undefined,
      ),
    ];
    const presence = new TargetPresence(nodes);
    try {
      await waitFor('a look at every node', () => looks >= 1, 5000);
      expect(presence.gone).to.equal(undefined);
      expect(() => presence.throwIfGone()).to.not.throw();
      removed = true;
      await waitFor('the gone node seen', () => presence.gone !== undefined, 5000);
      expect(presence.gone).to.equal(
        'target vanished: node n3 is gone (No such container: h13-n3); was the lab taken down?',
      );
      expect(() => presence.throwIfGone()).to.throw(/^target vanished: node n3/);
    } finally {
      presence.stop();
    }
  });

  it('node command errors name a multi-line script by its first line only', () => {
    const failed = new CommandFailedError({
      node: 'n1',
      argv: SCRIPT,
      stdout: '',
      stderr: 'boom',
      exitCode: 1,
      durationMs: 1,
    });
    expect(failed.message).to.equal("n1: 'sh -c set -e…' exited 1: boom");
    expect(new NodeGoneError('n1', SCRIPT, 'No such container').message).to.not.include('\n');
  });
});
