import { expect } from 'chai';
import { parsePxNodes } from '../../../lib/sut/portworx/px-node-state.js';
import {
  carriedOver,
  pxStateChanges,
  pxStateSnapshot,
  pxVolumeView,
  type PxPodRead,
} from '../../../lib/sut/portworx/px-state-snapshot.js';
import { readPxctlStatusHead } from '../../../lib/sut/portworx/pxctl-status.js';
import { readPxctlStatusNodes } from '../../../lib/sut/portworx/pxctl-status-nodes.js';
import { pxFixture, pxFixturesMatching } from '../../support/px-fixtures.js';

const UNREADABLE = /^could not read PX state: /;
const HEALTHY_3 = pxFixture('pxctl-status-healthy-3nodes-px2.2.0.txt');
/** The line modern PX's `pxctl status` prints when PX is down (torpedo, quoted in the evidence file). */
const NOT_RUNNING = 'PX is not running on this host';

/** Three Kubernetes nodes k1..k3 whose PX pods' host IPs are the recorded table's IPs, each printing `text(i)`. */
function cluster(text: (i: number) => string): PxPodRead[] {
  const rows = readPxctlStatusNodes(HEALTHY_3).nodes;
  return rows.map((r, i) => ({ node: `k${i + 1}`, hostIp: r.ip, statusText: text(i) }));
}

describe('PX state snapshot and its changes (recorded pxctl output)', () => {
  it('the evidence file records the not-running line', () => {
    expect(pxFixture('pxctl-status-px-not-running-evidence.txt')).to.include(NOT_RUNNING);
  });

  it('maps every row of the cluster view to its Kubernetes node by the PX pod host IP', () => {
    const snap = pxStateSnapshot(cluster(() => HEALTHY_3));
    expect(snap.unreadable).to.deep.equal([]);
    expect([...snap.nodes.keys()].sort()).to.deep.equal(['k1', 'k2', 'k3']);
    for (const v of snap.nodes.values()) expect(v.status).to.equal('online');
    expect(snap.nodes.get('k2')!.said).to.equal('Online (seen from k1); PX is operational');
  });

  it('reports the first round, then only changes: PX stopped on one node', () => {
    const first = pxStateSnapshot(cluster(() => HEALTHY_3));
    const initial = pxStateChanges(undefined, first);
    expect(initial.map((e) => `${e.event} ${e.node}`)).to.deep.equal([
      'px-node-online k1',
      'px-node-online k2',
      'px-node-online k3',
    ]);
    expect(pxStateChanges(first, pxStateSnapshot(cluster(() => HEALTHY_3)))).to.deep.equal([]);
    const second = pxStateSnapshot(cluster((i) => (i === 1 ? NOT_RUNNING : HEALTHY_3)));
    expect(pxStateChanges(carriedOver(undefined, first), second)).to.deep.equal([
      {
        event: 'px-node-offline',
        node: 'k2',
        detail:
          'Online (seen from k1); PX is operational → Online (seen from k1); PX is not running on this host',
      },
    ]);
  });

  it('the node PX runs on alone: its own state without a cluster view', () => {
    const snap = pxStateSnapshot([{ node: 'k1', hostIp: '10.9.9.9', statusText: NOT_RUNNING }]);
    expect(snap.nodes.get('k1')).to.deep.equal({ status: 'offline', said: NOT_RUNNING });
  });

  describe('every recorded pxctl status variant read by one PX pod', () => {
    for (const file of pxFixturesMatching(/^pxctl-status-.*\.txt$/).filter((f) => !/evidence/.test(f))) {
      it(file, () => {
        const text = pxFixture(file);
        let head;
        try {
          head = readPxctlStatusHead(text);
        } catch {
          head = undefined;
        }
        const snap = pxStateSnapshot([{ node: 'k1', hostIp: head?.ip, statusText: text }]);
        let table;
        try {
          table = readPxctlStatusNodes(text);
        } catch {
          table = undefined;
        }
        if (!head) {
          // No head: nothing known of the node, one note says why.
          expect(snap.nodes.size).to.equal(0);
          expect(snap.unreadable).to.have.length(1);
          expect(snap.unreadable[0]).to.match(UNREADABLE);
        } else if (!table) {
          // A cut table: the node's own state only, never rows from the cut table; the note says why.
          expect([...snap.nodes.keys()]).to.deep.equal(['k1']);
          expect(snap.nodes.get('k1')!.said).to.not.match(/seen from/);
          expect(snap.unreadable.join('\n')).to.match(UNREADABLE);
        } else {
          const me = table.nodes.find((n) => n.ip === head.ip);
          expect(snap.unreadable).to.deep.equal([]);
          if (me)
            expect(snap.nodes.get('k1')!.status).to.equal(
              head.state === 'not-running' ? 'offline' : me.status,
            );
        }
      });
    }
  });

  it('a round cut short or drifted: a note, and the state read before stays (no event)', () => {
    const first = pxStateSnapshot(cluster(() => HEALTHY_3));
    const cut = HEALTHY_3.slice(0, HEALTHY_3.indexOf('70.0.78.240'));
    const garbled = 'Error: rpc error: code = Unavailable\n';
    const second = pxStateSnapshot(cluster((i) => (i === 0 ? cut : garbled)));
    expect(second.unreadable.length).to.equal(3);
    for (const note of second.unreadable) expect(note).to.match(UNREADABLE);
    const changes = pxStateChanges(first, second);
    // k1 still reads its own head (operational) but no cluster view: its said changes, its status does not.
    expect(changes.map((e) => e.event)).to.deep.equal(['px-node-online']);
    const kept = carriedOver(first, second);
    expect(kept.nodes.get('k2')).to.deep.equal(first.nodes.get('k2'));
  });

  describe('the volume (recorded pxctl -j and SDK JSON)', () => {
    const nodes = parsePxNodes(
      pxFixture('sdk-go-encoding-json-nodes-int-enums-px2.1.2-pxc-testdata.json'),
    ).map((n) => ({ ...n, k8s: n.schedulerNodeName }));
    // The pxc testdata wraps each volume: `{Vols: [{volume, …}]}`.
    const list = (
      JSON.parse(pxFixture('sdk-go-encoding-json-volumes-int-enums-px2.1.2-pxc-testdata.json')) as {
        Vols: unknown[];
      }
    ).Vols;

    it('names the attached node and every replica node by Kubernetes name', () => {
      expect(list.length).to.be.greaterThan(0);
      for (const v of list) {
        const view = pxVolumeView(JSON.stringify([v]), nodes);
        expect(view.said).to.match(/^(attached on ip-70-0-87-2\d\d\.brbnca\.spcsdns\.net|\w+), replicas /);
        expect(view.said).to.not.match(/PX node /);
      }
    });

    it('a replica on a node no cluster view names: unreadable, not a guess', () => {
      const el = pxFixture('pxctl-j-volume-element-repl1-attached-resync-haincrease-px2.2-2019.json');
      expect(() => pxVolumeView(el.trim().startsWith('[') ? el : `[${el}]`, nodes)).to.throw(UNREADABLE);
    });

    it('a detached repl-2 volume read with its own nodes: detached, both replicas', () => {
      const text = pxFixture('pxctl-j-volume-inspect-shared-repl2-detached-pxdocs2018.json');
      const ids = [
        ...new Set(
          [...text.matchAll(/"nodes":\s*\[([^\]]*)\]/g)].flatMap((m) =>
            [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!),
          ),
        ),
      ];
      expect(ids.length).to.be.greaterThan(1);
      const own = ids.map((id, i) => ({
        id,
        mgmtIp: undefined,
        dataIp: undefined,
        schedulerNodeName: undefined,
        k8s: `k${i + 1}`,
      }));
      const view = pxVolumeView(text, own);
      expect(view.node).to.equal(undefined);
      expect(view.said).to.match(
        new RegExp(
          `^detached, replicas ${own
            .map((n) => n.k8s)
            .sort()
            .join(',')}, status up`,
        ),
      );
    });

    it('a volume in a round: px-volume on change only', () => {
      const text = JSON.stringify([list[0]]);
      const first = pxStateSnapshot([], undefined);
      const withVol = { ...first, volume: pxVolumeView(text, nodes) };
      const e = pxStateChanges(first, withVol);
      expect(e).to.have.length(1);
      expect(e[0]!.event).to.equal('px-volume');
      expect(pxStateChanges(withVol, withVol)).to.deep.equal([]);
      const bad = pxStateSnapshot([], '{"volumes": [{"id": "x"');
      expect(bad.unreadable[0]).to.match(UNREADABLE);
      expect(pxStateChanges(withVol, bad)).to.deep.equal([]);
    });
  });
});
