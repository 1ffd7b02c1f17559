import { expect } from 'chai';
import { disconnectedPeers } from '../../../lib/kube-lab/gluster-storage.js';

// The shape `gluster --mode=script pool list` prints (tab-separated, trailing spaces included).
const poolList = (states: readonly [string, string][]): string =>
  [
    'UUID\t\t\t\t\tHostname  \tState',
    ...states.map(
      ([host, state], i) => `5e0c1b2a-0000-4000-8000-00000000000${String(i)}\t${host}\t${state} `,
    ),
  ].join('\n');

describe('gluster pool list', () => {
  it('names the peers that are not Connected', () => {
    const out = poolList([
      ['172.29.0.3', 'Connected'],
      ['172.29.0.4', 'Disconnected'],
      ['localhost', 'Connected'],
    ]);
    expect(disconnectedPeers(out)).to.deep.equal(['172.29.0.4']);
  });

  it('names none when every peer is Connected, and ignores the header', () => {
    const out = poolList([
      ['172.29.0.3', 'Connected'],
      ['localhost', 'Connected'],
    ]);
    expect(disconnectedPeers(out)).to.deep.equal([]);
  });
});
