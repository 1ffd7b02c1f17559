import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openChannelSocket } from '../../../lib/k8s/channel-socket.js';
import { KubeApiError } from '../../../lib/k8s/kube-api-error.js';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { recordedKubeconfig } from '../../support/recorded-kube-api.js';

/**
 * An API server that accepts the connection and never answers the upgrade: the websocket stays
 * CONNECTING, where terminating it makes `ws` emit one more error on the next tick.
 */
describe('openChannelSocket aborted while the upgrade is pending (a silent API server)', () => {
  let server: net.Server;
  const sockets = new Set<Socket>();
  let dir: string;
  let client: KubeClient;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };

  before(async () => {
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-channel-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const { port } = server.address() as AddressInfo;
    await writeFile(kubeconfig, recordedKubeconfig(`http://127.0.0.1:${port}`));
    client = KubeClient.load({ kubeconfig });
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  // Mocha's own handler would pin an uncaught error on whichever test runs then: count them here.
  beforeEach(() => {
    uncaught.length = 0;
    process.prependListener('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.removeListener('uncaughtException', onUncaught);
  });

  const open = (signal: AbortSignal): Promise<unknown> =>
    openChannelSocket(client, '/api/v1/namespaces/x/pods/y/portforward?ports=5432', {
      what: 'port-forward x/y',
      connectTimeoutMs: 10_000,
      signal,
    });
  const settleTicks = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

  it('a signal aborted before the call: rejects as aborted, nothing thrown later', async () => {
    const err = await open(AbortSignal.abort('the deadline passed')).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(KubeApiError);
    expect((err as KubeApiError).failure).to.equal('aborted');
    await settleTicks();
    expect(uncaught).to.deep.equal([]);
  });

  it('a signal aborted while connecting: rejects as aborted, nothing thrown later', async () => {
    const controller = new AbortController();
    const pending = open(controller.signal).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort('the deadline passed');
    const err = await pending;
    expect(err).to.be.instanceOf(KubeApiError);
    expect((err as KubeApiError).failure).to.equal('aborted');
    await settleTicks();
    expect(uncaught).to.deep.equal([]);
  });
});
