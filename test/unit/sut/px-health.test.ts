import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  pxHealthLine,
  PxHealthTimeout,
  pxNodeHealth,
  readPxctlJsonStatus,
  waitForPxHealth,
  type PxNodeHealth,
} from '../../../lib/sut/portworx/px-health.js';
import { PxStateUnreadable } from '../../../lib/sut/portworx/px-state-unreadable.js';
import { pxFixture, pxFixturesMatching } from '../../support/px-fixtures.js';

const readyPod = (name: string, ready = true): V1Pod => ({
  metadata: { name },
  spec: { nodeName: 'n', containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('PX health: torpedo’s "PX is up"', () => {
  describe('pxctl -j status as PX answers it', () => {
    // No full `pxctl -j status` document is recorded anywhere (SOURCES.md §2): its top-level
    // `"status": "STATUS_OK"` and the non-JSON first line come from the consumers' code there.
    it('STATUS_OK is up, after a non-JSON first line too; other enum names are not', () => {
      expect(readPxctlJsonStatus('{\n "status": "STATUS_OK"\n}')).to.deep.equal({
        ok: true,
        status: 'STATUS_OK',
      });
      expect(readPxctlJsonStatus('Some notice\n{\n "status": "STATUS_OK"\n}').ok).to.equal(true);
      expect(readPxctlJsonStatus('{"status": "STATUS_STORAGE_DOWN"}')).to.deep.equal({
        ok: false,
        status: 'STATUS_STORAGE_DOWN',
      });
    });

    it('a cut JSON document, a number or no status: could not read PX state, never up', () => {
      for (const text of ['{\n "status": "STAT', '{"status": 2}', '{"cluster": {}}'])
        expect(() => readPxctlJsonStatus(text), text).to.throw(
          PxStateUnreadable,
          /^could not read PX state: /,
        );
    });

    it('legacy REST cluster JSON (integer Status, Go names) is not taken for pxctl -j status', () => {
      const legacy = pxFixture(
        'legacy-rest-9001-cluster-enumerate-3nodes-one-offline-status3-px1.0.9-2016.json',
      );
      expect(() => readPxctlJsonStatus(legacy)).to.throw(PxStateUnreadable, /status 2 is no known value/);
    });

    for (const file of pxFixturesMatching(/^pxctl-status-healthy-/))
      it(`${file}: text from a pxctl that ignores -j reads as up`, () => {
        expect(readPxctlJsonStatus(pxFixture(file))).to.deep.equal({ ok: true, status: 'PX is operational' });
      });

    const notUp: [string, RegExp][] = [
      ['pxctl-status-storage-down-pool-offline-TRUNCATED-px1.3-pxdev-issue73.txt', /^PX storage down$/],
      ['pxctl-status-maintenance-mode-px1.1-2017.txt', /^PX is in maintenance mode/],
      [
        'pxctl-status-not-in-quorum-no-storage-TRUNCATED-pxdev-issue75-2019.txt',
        /^PX Cluster is not in quorum /,
      ],
    ];
    for (const [file, says] of notUp)
      it(`${file}: not up, saying what PX says`, () => {
        const read = readPxctlJsonStatus(pxFixture(file));
        expect(read.ok).to.equal(false);
        expect(read.status).to.match(says);
      });

    it('PX is not running on this host (the recorded line) is not up', () => {
      const line = pxFixture('pxctl-status-px-not-running-evidence.txt')
        .split('\n')
        .find((l) => l.trim() === 'PX is not running on this host')!;
      expect(readPxctlJsonStatus(line)).to.deep.equal({
        ok: false,
        status: 'PX is not running on this host',
      });
    });

    it('output cut before its status line (the 4.0 cluster summary) is unreadable', () => {
      for (const file of ['pxctl-status-cluster-summary-px4.0-pxstorev2-TRUNCATED-openstorage-pr2418.txt'])
        expect(() => readPxctlJsonStatus(pxFixture(file)), file).to.throw(
          PxStateUnreadable,
          /^could not read PX state: /,
        );
    });

    it('log lines interleaved in PX 3.x output do not hide the status', () => {
      const file = 'pxctl-status-px3.x-log-lines-interleaved-kvdb-device-TRUNCATED-schedops-pr410-2024.txt';
      expect(readPxctlJsonStatus(pxFixture(file)).ok).to.equal(true);
    });
  });

  describe('a node', () => {
    it('no pod, a pod not Ready, a failed exec and unreadable output are each said plainly', () => {
      expect(pxNodeHealth('n1', undefined, undefined)).to.deep.equal({
        node: 'n1',
        up: false,
        says: 'no PX pod',
      });
      expect(pxNodeHealth('n1', readyPod('px-a', false), undefined).says).to.equal(
        'pod px-a Running, not Ready',
      );
      expect(pxNodeHealth('n1', readyPod('px-a'), new Error('timed out')).says).to.equal(
        'pxctl -j status failed: timed out',
      );
      const cut = pxNodeHealth('n1', readyPod('px-a'), '{"status": "STA');
      expect(cut.up).to.equal(false);
      expect(cut.says).to.match(/^could not read PX state: pxctl -j status is not JSON/);
      expect(pxNodeHealth('n1', readyPod('px-a'), '{"status":"STATUS_OK"}')).to.deep.equal({
        node: 'n1',
        up: true,
        says: 'STATUS_OK',
      });
    });
  });

  describe('the wait', () => {
    const poll = (rounds: PxNodeHealth[][]) => {
      let i = 0;
      return () => Promise.resolve(rounds[Math.min(i++, rounds.length - 1)]!);
    };
    const up = (node: string): PxNodeHealth => ({ node, up: true, says: 'STATUS_OK' });

    it('prints how many nodes are up and what the others say, until every node is up', async () => {
      const lines: string[] = [];
      const result = await waitForPxHealth(
        poll([
          [
            up('n1'),
            { node: 'n2', up: false, says: 'no PX pod' },
            { node: 'n3', up: false, says: 'PX storage down' },
          ],
          [up('n1'), up('n2'), { node: 'n3', up: false, says: 'STATUS_INIT' }],
          [up('n1'), up('n2'), up('n3')],
        ]),
        { timeoutMs: 60_000, pollMs: 5, progress: (l) => lines.push(l) },
      );
      expect(result.every((n) => n.up)).to.equal(true);
      expect(lines).to.have.length(3);
      expect(lines[0]).to.match(/^PX up on 1\/3 nodes after \S+; n2: no PX pod; n3: PX storage down$/);
      expect(lines[1]).to.match(/^PX up on 2\/3 nodes after \S+; n3: STATUS_INIT$/);
      expect(lines[2]).to.match(/^PX up on 3\/3 nodes after \S+$/);
    });

    it('gives up after its budget with the last line, and never counts no nodes as up', async () => {
      const lines: string[] = [];
      const wait = waitForPxHealth(poll([[]]), { timeoutMs: 50, pollMs: 10, progress: (l) => lines.push(l) });
      const err = await wait.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(PxHealthTimeout);
      expect((err as Error).message).to.match(/^PX not up within 50ms: PX up on 0\/0 nodes/);
      expect(lines.length).to.be.within(2, 7);
      expect(pxHealthLine([], 0)).to.equal('PX up on 0/0 nodes after 0ms');
    });
  });
});
