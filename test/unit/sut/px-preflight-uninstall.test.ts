import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { markInstalled } from '../../../lib/sut/postgres-on-k8s/installed-by-marker.js';
import {
  listeningPorts,
  ONE_KERNEL_STATEMENT,
  pxPreflight,
  type PxNodeFacts,
} from '../../../lib/sut/portworx/px-preflight.js';
import {
  PX_NODE_FILES_ARGV,
  uninstallPortworx,
  type PxUninstallOps,
} from '../../../lib/sut/portworx/px-uninstall.js';

const node = (name: string, over: Partial<PxNodeFacts> = {}): PxNodeFacts => ({
  name,
  ready: true,
  schedulable: true,
  bootId: `boot-${name}`,
  kernelVersion: '6.1.0',
  listening: [22, 10250],
  loop: true,
  ...over,
});

describe('Portworx preflight', () => {
  it('three Ready schedulable nodes of their own kernels, ports free, loop support: no refusal', () => {
    expect(pxPreflight([node('a'), node('b'), node('c')])).to.deep.equal({
      refusals: [],
      nodes: ['a', 'b', 'c'],
    });
  });

  it('lists every problem at once, one line each', () => {
    const verdict = pxPreflight([
      node('a', { listening: [22, 9001, 9021, 9023] }),
      node('b', { loop: false }),
      node('c', { ready: false }),
      node('d', { schedulable: false }),
      node('e', { listening: new Error('ssh: connection refused') }),
    ]);
    expect(verdict.refusals).to.deep.equal([
      'node a: ports 9001, 9021 in use (Portworx needs 9001-9022)',
      'node b: no loop device support (no /dev/loop-control and modprobe -n loop fails)',
      'node e: could not list listening ports: ssh: connection refused',
    ]);
    const two = pxPreflight([node('a'), node('b', { ready: false })]);
    expect(two.refusals).to.deep.equal([
      'Portworx needs at least 3 schedulable Ready nodes (internal KVDB quorum); found 1 (b not Ready)',
    ]);
    for (const r of verdict.refusals) expect(r).not.to.include('\n');
  });

  it('nodes with one bootID and kernel (kind) get the one-kernel statement', () => {
    const kind = pxPreflight(
      ['w1', 'w2', 'w3'].map((n) => node(n, { bootId: 'b00t', kernelVersion: '6.1.0-18' })),
    );
    expect(kind.refusals).to.deep.equal([
      `nodes w1, w2, w3 share one kernel (bootID b00t, kernel 6.1.0-18): ${ONE_KERNEL_STATEMENT}`,
    ]);
    expect(ONE_KERNEL_STATEMENT).to.equal(
      'one PX per kernel: multi-node Portworx on these nodes is unsupported',
    );
  });

  it('reads the ports this host really listens on from its own ss -Htln', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const ports = listeningPorts(execFileSync('ss', ['-Htln'], { encoding: 'utf8' }));
      expect(ports).to.include(port);
      expect(ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)).to.equal(true);
    } finally {
      server.close();
    }
    expect(
      listeningPorts('LISTEN 0      4096   [::]:9001   [::]:*\nLISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n'),
    ).to.deep.equal([9001, 22]);
  });
});

describe('Portworx uninstall', () => {
  const spec: KubernetesObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'px-account', namespace: 'kube-system' } },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'portworx', namespace: 'kube-system' } },
  ];
  const pod = (name: string): V1Pod => ({ metadata: { name }, spec: { nodeName: 'w1', containers: [] } });

  /** Records every call in order; PX pods go after `podRounds` polls. */
  function recording(live: Map<string, KubernetesObject>, podRounds = 2) {
    const calls: string[] = [];
    let polls = 0;
    const ops: PxUninstallOps = {
      read: (o) => Promise.resolve(live.get(o.metadata?.name ?? '')),
      labelNodes: (value) => {
        calls.push(`label px/enabled=${value ?? '-'}`);
        return Promise.resolve(['w1', 'w2', 'w3']);
      },
      pxPods: () => {
        calls.push('list pods');
        return Promise.resolve(polls++ < podRounds ? [pod('portworx-abc')] : []);
      },
      onNode: (n, argv) => {
        calls.push(`on ${n}: ${argv.join(' ')}`);
        return Promise.resolve({ node: n, argv, stdout: '', stderr: '', exitCode: 0, durationMs: 1 });
      },
      delete: (o) => {
        calls.push(`delete ${o.kind}`);
        return Promise.resolve();
      },
      setDeleteStrategy: (o, type) => {
        calls.push(`deleteStrategy ${type} on ${o.kind}`);
        return Promise.resolve();
      },
      requestDelete: (o) => {
        calls.push(`request delete ${o.kind}`);
        return Promise.resolve();
      },
    };
    return { calls, ops };
  }
  const options = (lines: string[]) => ({
    goneTimeoutMs: 60_000,
    pollMs: 1,
    progress: (l: string) => lines.push(l),
  });

  it('labels, waits for the PX pods to go, wipes the node files, deletes in reverse, drops the label', async () => {
    const live = new Map(spec.map((o) => [o.metadata!.name!, markInstalled(o)]));
    const { calls, ops } = recording(live);
    const lines: string[] = [];
    const outcome = await uninstallPortworx(spec, ops, options(lines));
    expect(outcome).to.deep.equal({ done: true, how: 'px/enabled=remove on w1, w2, w3' });
    const files = PX_NODE_FILES_ARGV.join(' ');
    expect(calls).to.deep.equal([
      'label px/enabled=remove',
      'list pods',
      'list pods',
      'list pods',
      `on w1: ${files}`,
      `on w2: ${files}`,
      `on w3: ${files}`,
      'delete DaemonSet',
      'delete ServiceAccount',
      'label px/enabled=-',
    ]);
    expect(lines.filter((l) => l.startsWith('waiting for 1 PX pod(s) to go'))).to.have.length(2);
    expect(lines[0]).to.equal('labelled 3 node(s) px/enabled=remove');
  });

  it('leaves a PX it did not install alone, saying why; does nothing when none exists', async () => {
    const foreign = new Map(spec.map((o) => [o.metadata!.name!, o]));
    const a = recording(foreign);
    const outcome = await uninstallPortworx(spec, a.ops, options([]));
    expect(outcome).to.deep.equal({
      done: false,
      reason:
        'Portworx was not installed by pxchaos (no pxchaos.io/installed-by annotation on ServiceAccount kube-system/px-account, DaemonSet kube-system/portworx): left alone',
    });
    expect(a.calls).to.deep.equal([]);
    const none = recording(new Map());
    expect((await uninstallPortworx(spec, none.ops, options([]))).done).to.equal(false);
    expect(none.calls).to.deep.equal([]);
  });

  it('stops at its deadline naming the PX pods left, before touching any node', async () => {
    const live = new Map(spec.map((o) => [o.metadata!.name!, markInstalled(o)]));
    const { calls, ops } = recording(live, Infinity);
    const err = await uninstallPortworx(spec, ops, {
      goneTimeoutMs: 20,
      pollMs: 5,
      progress: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.match(/^PX pods still there \S+ after px\/enabled=remove: portworx-abc on w1$/);
    expect(calls.some((c) => c.startsWith('on ') || c.startsWith('delete'))).to.equal(false);
  });
});
