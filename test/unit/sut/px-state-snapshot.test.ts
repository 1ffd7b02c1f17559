import { expect } from 'chai';
import { parsePxNodes } from '../../../lib/sut/portworx/px-node-state.js';
import {
  carriedOver,
  pxStateChanges,
  pxStateSnapshot,
  pxVolumeView,
  type PxPodRead,
  type PxStateSnapshot,
} from '../../../lib/sut/portworx/px-state-snapshot.js';
import { readPxctlStatusHead } from '../../../lib/sut/portworx/pxctl-status.js';
import { readPxctlStatusNodes } from '../../../lib/sut/portworx/pxctl-status-nodes.js';
import type { SutEvent } from '../../../lib/sut/sut.js';
import { PX_DOWN_EVENTS, PX_UP_EVENTS } from '../../../lib/sut/portworx/portworx-detected-setup.js';
import { PX_MARKS_OFFLINE_METRIC } from '../../../lib/sut/portworx/portworx-expectations.js';
import { computeMetrics } from '../../../lib/observe/metrics.js';
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
    // Each node's own state; its peers' view is said only where it differs.
    expect(snap.nodes.get('k2')!.said).to.equal('PX is operational');
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
        detail: 'PX is operational → PX is not running on this host; its peers: Online (seen from k1, k3)',
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
          // No head: the node's state is not known (no peer to tell it), one note says why.
          expect([...snap.nodes.values()].map((v) => v.status)).to.deep.equal(['unknown']);
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

  it('a round cut short or drifted: a note each; a node not read itself is unknown, never a guess', () => {
    const first = pxStateSnapshot(cluster(() => HEALTHY_3));
    const cut = HEALTHY_3.slice(0, HEALTHY_3.indexOf('70.0.78.240'));
    const garbled = 'Error: rpc error: code = Unavailable\n';
    const second = pxStateSnapshot(
      cluster((i) => (i === 0 ? cut : garbled)),
      undefined,
      first,
    );
    expect(second.unreadable.length).to.equal(3);
    for (const note of second.unreadable) expect(note).to.match(UNREADABLE);
    const changes = pxStateChanges(first, second);
    // k1 still reads its own head (operational): no change. k2 and k3 are read by no one.
    expect(changes.map((e) => `${e.event} ${e.node}`)).to.deep.equal([
      'px-node-unknown k2',
      'px-node-unknown k3',
    ]);
    expect(changes[0]!.detail).to.equal(
      'PX is operational → not known: its own pxctl status not read; no peer lists it',
    );
  });

  describe("a node's state: its own, or its peers' once they agree it changed (issue 22 item 7)", () => {
    /** k2's PX stopped: its own pxctl says so; k1 and k3 still list it Online. */
    const stopped = (i: number): string => (i === 1 ? NOT_RUNNING : HEALTHY_3);
    /** HEALTHY_3 with k2's row (70.0.78.240) Offline, as its peers print it once PX marked it. */
    const markedOffline = HEALTHY_3.replace(/(70\.0\.78\.240\t[^\n]*?)\tOnline\t/, '$1\tOffline\t');
    const rounds = (...texts: ((i: number) => string | Error)[]) => {
      let state: PxStateSnapshot | undefined;
      const events: SutEvent[] = [];
      for (const text of texts) {
        const reads = cluster(() => '').map((r, i) => {
          const t = text(i);
          return t instanceof Error
            ? { node: r.node, hostIp: r.hostIp, error: t.message }
            : { ...r, statusText: t };
        });
        const snap = pxStateSnapshot(reads, undefined, state);
        events.push(...pxStateChanges(state, snap));
        state = carriedOver(state, snap);
      }
      return { events: events.filter((e) => e.node === 'k2'), state: state! };
    };
    const unreachable = new Error('websocket closed (code 1006) without an exit status');

    it('the stale "Online" after its own pxctl failed is unknown, never online: the pending delete stays', () => {
      expect(markedOffline).to.not.equal(HEALTHY_3);
      const { events, state } = rounds(
        () => HEALTHY_3,
        stopped,
        (i) => (i === 1 ? unreachable : HEALTHY_3),
      );
      expect(events.map((e) => e.event)).to.deep.equal([
        'px-node-online',
        'px-node-offline',
        'px-node-unknown',
      ]);
      expect(events[2]!.detail).to.equal(
        'PX is not running on this host; its peers: Online (seen from k1, k3) → not known: its own pxctl status not read; Online (seen from k1, k3), not seen to change',
      );
      expect(state.nodes.get('k2')!.status).to.equal('unknown');
      expect(PX_UP_EVENTS).to.not.include('px-node-unknown');
      expect(PX_DOWN_EVENTS).to.not.include('px-node-unknown');
    });

    it('its peers agreeing it went Offline count; so does their agreeing it came back', () => {
      const { events } = rounds(
        () => HEALTHY_3,
        (i) => (i === 1 ? unreachable : HEALTHY_3),
        (i) => (i === 1 ? unreachable : markedOffline),
        (i) => (i === 1 ? unreachable : markedOffline),
        (i) => (i === 1 ? unreachable : HEALTHY_3),
      );
      expect(events.map((e) => e.event)).to.deep.equal([
        'px-node-online',
        'px-node-unknown',
        'px-node-offline',
        'px-peers-offline',
        'px-node-online',
      ]);
      expect(events[2]!.detail).to.match(/→ Offline \(seen from k1, k3\); its own pxctl status not read$/);
      expect(events[3]!.detail).to.equal('PX marked k2 Offline: Offline (seen from k1, k3)');
    });

    it('PX stopped on k2: when its peers mark it Offline is one px-peers-offline, the measured figure', () => {
      const { events } = rounds(
        () => HEALTHY_3,
        stopped,
        stopped,
        (i) => (i === 1 ? NOT_RUNNING : markedOffline),
      );
      expect(events.map((e) => e.event)).to.deep.equal([
        'px-node-online',
        'px-node-offline',
        'px-node-offline',
        'px-peers-offline',
      ]);
      // In a run's timeline: the time from the fault's injection to it, the metric the
      // expectations name (portworx-expectations.ts PX_MARKS_OFFLINE_METRIC).
      const metrics = computeMetrics({
        events: [
          { kind: 'fault', phase: 'injected', fault: 'agent-down-past-grace', node: 'k2', t: 1_000, wall: 0 },
          {
            kind: 'platform',
            event: 'px-peers-offline',
            node: 'k2',
            detail: events[3]!.detail,
            t: 38_000,
            wall: 0,
          },
        ],
      });
      expect(metrics[PX_MARKS_OFFLINE_METRIC]).to.equal(37_000);
    });

    it('peers that disagree tell nothing', () => {
      const { events } = rounds(
        () => HEALTHY_3,
        (i) => (i === 1 ? unreachable : i === 0 ? markedOffline : HEALTHY_3),
      );
      expect(events.map((e) => e.event)).to.deep.equal(['px-node-online', 'px-node-unknown']);
      expect(events[1]!.detail).to.match(/its peers disagree \(k1: Offline, k3: Online\)$/);
    });
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
