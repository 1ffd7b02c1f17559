import { expect } from 'chai';
import { readPxctlStatusNodes, type PxctlStatusNode } from '../../../lib/sut/portworx/pxctl-status-nodes.js';
import {
  parsePxctlStatus,
  readPxctlStatusHead,
  type PxctlStatusHead,
} from '../../../lib/sut/portworx/pxctl-status.js';
import { pxFixture, pxFixturesMatching } from '../../support/px-fixtures.js';

/** `<ip> <id> <scheduler name> <status>`, `*` for the node pxctl ran on, `-` for an absent field. */
function row(n: PxctlStatusNode): string {
  return [n.ip, n.id ?? '-', n.schedulerNodeName ?? '-', n.status, ...(n.thisNode ? ['*'] : [])].join(' ');
}

const UNREADABLE = /^could not read PX state: /;

/** What each recorded `pxctl status` says: its head, and its node table or why the table cannot be read. */
const EXPECTED: Record<
  string,
  { head: PxctlStatusHead | RegExp; nodes: string[] | RegExp; declared?: number }
> = {
  'pxctl-status-healthy-9nodes-px1.1-2017.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: '5f8b8417-af2b-4ea7-930e-0027f6bbcbd1',
      ip: '172.31.46.119',
    },
    nodes: [
      '172.31.40.38 ec3ed4b9-68d5-4e83-a7ce-2bc112f5f131 - online',
      '172.31.37.211 17a6fb2c-0d19-4bae-a73f-a85e0514ae8b - online',
      '172.31.35.130 a91175b6-ff69-4eff-8b7f-893373631483 - online',
      '172.31.45.106 048cc2f8-022e-47d9-b600-2eeddcd64d51 - online',
      '172.31.45.56 f9cb673e-adfa-4e4f-a99a-ec8e1420e645 - online',
      '172.31.46.119 5f8b8417-af2b-4ea7-930e-0027f6bbcbd1 - online *',
      '172.31.39.201 355ee6aa-c7eb-4ac6-b16b-936b1b58aa24 - online',
      '172.31.33.151 871c503d-fa6e-4599-a533-41e70a72eafd - online',
      '172.31.33.252 651ca0f4-c156-4a14-b2f3-428e727eb6b8 - online',
    ],
  },
  'pxctl-status-healthy-3nodes-px1.2-pxdev-issue27-2017.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: '99ec14fc-5dff-46ad-8b4c-ed4ffd153864',
      ip: '10.0.1.101',
    },
    nodes: [
      '10.0.1.101 99ec14fc-5dff-46ad-8b4c-ed4ffd153864 - online *',
      '10.0.2.102 31a1ff1f-4e12-4a73-9fae-9009ce855144 - online',
      '10.0.3.103 b6505999-5415-422e-9b89-c9dac8e6bf51 - online',
    ],
  },
  'pxctl-status-healthy-3nodes-px2.2.0.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: 'abb4723e-efa3-432d-ad27-f929bc658862',
      ip: '70.0.79.28',
    },
    declared: 3,
    nodes: [
      '70.0.79.28 abb4723e-efa3-432d-ad27-f929bc658862 - online *', // SchedulerNodeName N/A
      '70.0.78.240 9ddf713b-0dbc-4e7b-bd6e-2ae648891072 - online',
      '70.0.79.32 0e466c6a-fef0-4752-b133-9bf257e9973a - online',
    ],
  },
  'pxctl-status-healthy-6nodes-px2.11-torpedo-ipv4.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: 'f703597a-9772-4bdb-b630-6395b3c98658',
      ip: '192.168.121.111',
    },
    declared: 6,
    nodes: [
      '192.168.121.111 f703597a-9772-4bdb-b630-6395b3c98658 node05 online *',
      '192.168.121.222 cedc897f-a489-4c28-9c20-12b8b4c3d1d8 node01 online',
      '192.168.121.333 956aafc1-a52d-41f3-afb1-6427e2a3b0ef node04 online',
      '192.168.121.444 6d801e0f-a7e7-4063-8f2f-50b43c1d9608 node03 online',
      '192.168.121.555 28dee5d4-7724-41eb-a86d-929a3f88456e node06 online',
      '192.168.121.666 0e88d11f-6fb1-4898-b76a-e38c200fa7ae node02 online',
    ],
  },
  'pxctl-status-healthy-6nodes-internal-kvdb-px2.11-torpedo-ipv6.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: 'f703597a-9772-4bdb-b630-6395b3c98658',
      ip: '0000:111:2222:3333:444:5555:6666:666',
    },
    declared: 6,
    nodes: [
      '0000:111:2222:3333:444:5555:6666:666 f703597a-9772-4bdb-b630-6395b3c98658 node05 online *',
      '0000:111:2222:3333:444:5555:6666:555 cedc897f-a489-4c28-9c20-12b8b4c3d1d8 node01 online',
      '0000:111:2222:3333:444:5555:6666:444 956aafc1-a52d-41f3-afb1-6427e2a3b0ef node04 online',
      '0000:111:2222:3333:444:5555:6666:333 6d801e0f-a7e7-4063-8f2f-50b43c1d9608 node03 online',
      '0000:111:2222:3333:444:5555:6666:222 28dee5d4-7724-41eb-a86d-929a3f88456e node06 online',
      '0000:111:2222:3333:444:5555:6666:111 0e88d11f-6fb1-4898-b76a-e38c200fa7ae node02 online',
    ],
  },
  'pxctl-status-maintenance-mode-px1.1-2017.txt': {
    head: {
      state: 'maintenance',
      message: 'PX is in maintenance mode.  Use the service mode option to exit maintenance mode.',
      nodeId: 'a0b87836-f115-4aa2-adbb-c9d0eb597668',
      ip: '147.75.104.185',
    },
    // `Node IP: … - Node ID: … In Maintenance`: no `(This node)` on this line.
    nodes: ['147.75.104.185 a0b87836-f115-4aa2-adbb-c9d0eb597668 - maintenance'],
  },
  'legacy-rest-9001-entermaintenance-then-pxctl-status-maintenance-px1.x-2017.txt': {
    head: {
      state: 'maintenance',
      message: 'PX is in maintenance mode.  Use the service mode option to exit maintenance mode.',
      nodeId: 'f067e2ed-b81f-4120-bb72-a20d73f76af0',
      ip: '147.75.64.189',
    },
    nodes: ['10.100.48.11 f067e2ed-b81f-4120-bb72-a20d73f76af0 - maintenance'],
  },
  'legacy-rest-9001-exitmaintenance-response-then-pxctl-status-px1.x-2017.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: 'f067e2ed-b81f-4120-bb72-a20d73f76af0',
      ip: '147.75.64.189',
    },
    // PX 1.0/1.1 `Node IP: … - Capacity: …` lines name no node id.
    nodes: [
      '10.100.48.11 - - online *',
      '10.100.48.5 - - online',
      '10.100.48.1 - - online',
      '10.100.48.9 - - online',
    ],
  },
  'pxctl-status-storage-down-pool-offline-TRUNCATED-px1.3-pxdev-issue73.txt': {
    head: {
      state: 'storage-down',
      message: 'PX storage down',
      nodeId: '5923cb4f-7878-4de1-962e-728b1f3f371e',
      ip: '172.16.0.141',
    },
    // Cut in the Version column, after every cell read; `Nodes: 1 node(s)` says the table is whole.
    declared: 1,
    nodes: ['172.16.0.141 5923cb4f-7878-4de1-962e-728b1f3f371e - storage-down *'],
  },
  'pxctl-status-node-storagedown-TRUNCATED-px2.3.2-pxc-issue115.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: 'c860c35a-8ded-42e7-8141-5b4f8d906b14',
      ip: '70.0.91.44',
    },
    nodes: /^could not read PX state: pxctl status node table has 1 row\(s\) but its Nodes line declares 6/,
  },
  'pxctl-status-not-in-quorum-no-storage-TRUNCATED-pxdev-issue75-2019.txt': {
    head: {
      state: 'not-in-quorum',
      message:
        'PX Cluster is not in quorum because there are no storage devices allocated to any of the nodes.' +
        ' Please add storage device to atleast one node and restart PX.' +
        ' Please take a look at: https://docs.portworx.com/#install for instructions on how to provide storage.',
      nodeId: '412de949-2ecc-4243-9a2d-c1d2a42a086a',
      ip: '172.31.28.166',
    },
    nodes: /^could not read PX state: pxctl status node table has 0 row\(s\) but its Nodes line declares 3/,
  },
  'pxctl-status-px3.3.1.2-header-TRUNCATED-helm-pr784-2025.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: '8fe9a07d-bd6d-4b72-95e0-26bec941dc3b',
      ip: '10.13.174.31',
    },
    nodes: /^could not read PX state: pxctl status has no "Cluster Summary"/,
  },
  'pxctl-status-px3.x-log-lines-interleaved-kvdb-device-TRUNCATED-schedops-pr410-2024.txt': {
    head: {
      state: 'operational',
      message: 'PX is operational',
      nodeId: '1f598bfd-8d1f-4921-8cf1-f3a2886c53ed',
      ip: '10.9.136.79',
    },
    nodes: /^could not read PX state: pxctl status "Cluster Summary" has no node table/,
  },
  'pxctl-status-cluster-summary-px4.0-pxstorev2-TRUNCATED-openstorage-pr2418.txt': {
    // Starts inside the device list: no status line. The table itself is whole (3 of 3, then Warnings:).
    head: /^could not read PX state: pxctl status has no status line/,
    declared: 3,
    nodes: [
      '10.13.10.147 e24cc370-b7d3-497c-b022-c8586cb56f2b lsundararajan-47-1 online *',
      '10.13.10.150 aee1284f-6eb0-47ed-acb7-7c50132a9e60 lsundararajan-47-3 online',
      '10.13.10.59 97e01a1c-f53a-43ae-bb26-8145e96ee205 lsundararajan-47-2 online',
    ],
  },
  'pxctl-maintenance-enter-px-not-running-pxdocs2018.txt': {
    head: {
      state: 'not-running',
      message: 'PX is not running on this host.',
      nodeId: undefined,
      ip: undefined,
    },
    nodes: /^could not read PX state: pxctl status has no "Cluster Summary"/,
  },
};

describe('pxctl status text (recorded PX 1.x–4.0 output, ../shared/fixtures/portworx)', () => {
  it('has an expected reading for every recorded pxctl status', () => {
    const recorded = pxFixturesMatching(
      /^(pxctl-status-|legacy-rest-9001-.*\.txt$|pxctl-maintenance-enter)/,
    ).filter(
      (f) => f !== 'pxctl-status-px-not-running-evidence.txt', // several outputs in one file: below
    );
    expect(Object.keys(EXPECTED).sort()).to.deep.equal(recorded);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    describe(file, () => {
      const text = pxFixture(file);
      it(expected.head instanceof RegExp ? 'cannot read the head, and says why' : 'reads the head', () => {
        if (expected.head instanceof RegExp) expect(() => readPxctlStatusHead(text)).to.throw(expected.head);
        else expect(readPxctlStatusHead(text)).to.deep.equal(expected.head);
      });
      it(
        expected.nodes instanceof RegExp
          ? 'refuses the node table, saying why'
          : 'reads the whole node table',
        () => {
          if (expected.nodes instanceof RegExp) {
            expect(() => readPxctlStatusNodes(text)).to.throw(expected.nodes);
            // PX not running prints no cluster summary: the whole reading is that, not a failure.
            if (!(expected.head instanceof RegExp) && expected.head.state !== 'not-running')
              expect(() => parsePxctlStatus(text)).to.throw(UNREADABLE);
          } else {
            const summary = readPxctlStatusNodes(text);
            expect(summary.nodes.map(row)).to.deep.equal(expected.nodes);
            expect(summary.declared?.nodes).to.equal(expected.declared);
          }
        },
      );
    });
  }

  it('tells StorageDown from Online and keeps the cells as printed (PX 1.3, storage down)', () => {
    const [node] = readPxctlStatusNodes(
      pxFixture('pxctl-status-storage-down-pool-offline-TRUNCATED-px1.3-pxdev-issue73.txt'),
    ).nodes;
    expect(node).to.include({
      rawStatus: 'Online (StorageDown)',
      storageStatus: 'Full or Offline (This node)',
      status: 'storage-down',
    });
  });

  it('reads the storage status column next to an Auth column (PX 4.0, PX-StoreV2)', () => {
    const summary = readPxctlStatusNodes(
      pxFixture('pxctl-status-cluster-summary-px4.0-pxstorev2-TRUNCATED-openstorage-pr2418.txt'),
    );
    expect(summary.clusterId).to.equal('local-px-int');
    expect(summary.declared).to.deep.equal({ nodes: 3, online: 3 });
    expect(summary.nodes.map((n) => n.storageStatus)).to.deep.equal(['Up (This node)', 'Up', 'Up']);
  });

  it('reads "PX is not running on this host" as pxctl printed it (px-dev #35), with no cluster', () => {
    const evidence = pxFixture('pxctl-status-px-not-running-evidence.txt');
    const pxDev35 = evidence.slice(evidence.indexOf('## 2.'), evidence.indexOf('## 3.'));
    expect(parsePxctlStatus(pxDev35)).to.deep.equal({
      state: 'not-running',
      message: 'PX is not running on this host',
      nodeId: undefined,
      ip: undefined,
      cluster: undefined,
    });
  });

  it('reads head and table together when both are whole (PX 2.11)', () => {
    const status = parsePxctlStatus(pxFixture('pxctl-status-healthy-6nodes-px2.11-torpedo-ipv4.txt'));
    expect(status.state).to.equal('operational');
    expect(status.cluster?.nodes.filter((n) => n.thisNode).map((n) => n.id)).to.deep.equal([status.nodeId]);
  });

  it('refuses text that is no pxctl status at all', () => {
    expect(() => parsePxctlStatus(pxFixture('pxctl-cluster-list-3nodes-online-px1.1.4.txt'))).to.throw(
      UNREADABLE,
    );
    expect(() => readPxctlStatusHead('')).to.throw(
      /^could not read PX state: pxctl status has no status line/,
    );
  });
});
