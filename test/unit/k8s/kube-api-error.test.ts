import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { describeKubeError, KubeApiError } from '../../../lib/k8s/kube-api-error.js';
import { kubeGetJson } from '../../../lib/k8s/kube-http.js';
import { RecordedKubeApi, sendJson } from '../../support/recorded-kube-api.js';

const expiredStatus = (
  JSON.parse(
    readFileSync(join(process.cwd(), 'test', 'fixtures', 'k8s', 'watch-410-expired.jsonl'), 'utf8'),
  ) as {
    object: { message: string };
  }
).object;

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const failure = async (call: Promise<unknown>): Promise<KubeApiError> => {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(KubeApiError);
  return err as KubeApiError;
};

describe('Kubernetes error normalisation (real client-node calls against local servers)', () => {
  let api: RecordedKubeApi | undefined;
  afterEach(async () => {
    await api?.dispose();
    api = undefined;
  });

  it('ApiException (JSON-string body) → "HTTP 404 NotFound: <the Status message>"', async () => {
    const notFound = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'pods "pg-0" not found',
      reason: 'NotFound',
      details: { name: 'pg-0', kind: 'pods' },
      code: 404,
    };
    api = await new RecordedKubeApi((_req, res) => sendJson(res, 404, notFound)).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    const err = await failure(
      client.call('read pod db/pg-0', () => client.core.readNamespacedPod({ name: 'pg-0', namespace: 'db' })),
    );
    expect(err.message).to.equal('read pod db/pg-0: HTTP 404 NotFound: pods "pg-0" not found');
    expect(err).to.include({ failure: 'status', status: 404, reason: 'NotFound' });
    // The raw ApiException stays reachable as the cause.
    expect((err.cause as { code?: number }).code).to.equal(404);
  });

  it('a 410 Status as recorded from Kubernetes 1.20 keeps its reason Expired', async () => {
    api = await new RecordedKubeApi((_req, res) => sendJson(res, 410, expiredStatus)).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    const err = await failure(kubeGetJson(client, '/api/v1/pods', { what: 'list pods' }));
    expect(err.message).to.equal(`list pods: HTTP 410 Expired: ${expiredStatus.message}`);
    expect(err.status).to.equal(410);
  });

  it('a non-JSON error body (a proxy page) is cut to one short line', async () => {
    const page = `<html>\n<body>\n<h1>502 Bad Gateway</h1>\n${'x'.repeat(500)}\n</body></html>`;
    api = await new RecordedKubeApi((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end(page);
    }).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    const err = await failure(client.call('list nodes', () => client.core.listNode()));
    expect(err.message).to.match(/^list nodes: HTTP 502: <html> <body> <h1>502 Bad Gateway<\/h1> x+$/);
    expect(err.message).to.not.include('\n');
    expect(err.message.length).to.be.below(260);
  });

  it('FetchError ECONNREFUSED → "API server unreachable: connection refused (host:port)"', async () => {
    api = await new RecordedKubeApi(() => undefined).start();
    const port = api.port;
    await api.stop();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    const err = await failure(client.call('list nodes', () => client.core.listNode()));
    expect(err.message).to.equal(
      `list nodes: API server unreachable: connection refused (127.0.0.1:${port})`,
    );
    expect(err.failure).to.equal('unreachable');
    expect((err.cause as { name?: string }).name).to.equal('FetchError');
  });

  it('AbortError from the request deadline → "timed out after N" (a server that never answers)', async () => {
    api = await new RecordedKubeApi(() => undefined).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig, requestTimeoutMs: 300 });
    const started = performance.now();
    const err = await failure(client.call('list nodes', () => client.core.listNode()));
    const elapsed = performance.now() - started;
    expect(err.message).to.equal('list nodes: timed out after 300ms');
    expect(err.failure).to.equal('timeout');
    expect(elapsed).to.be.within(300, 3_000);
  });

  it("the caller's signal reads as aborted, not as a timeout", async () => {
    api = await new RecordedKubeApi(() => undefined).start();
    const controller = new AbortController();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('scenario interrupted by SIGINT')), 100);
    const err = await failure(client.call('list nodes', () => client.core.listNode()));
    expect(err.message).to.equal('list nodes: aborted (scenario interrupted by SIGINT)');
    expect(err.failure).to.equal('aborted');
  });

  it('describes socket errors seen outside client-node the same way', async () => {
    const port = await closedPort();
    const cause = await new Promise<Error>((resolve) =>
      net.connect(port, '127.0.0.1').on('error', (e) => resolve(e)),
    );
    const err = describeKubeError(cause, { what: 'watch pods' });
    expect(err.message).to.equal(
      `watch pods: API server unreachable: connection refused (127.0.0.1:${port})`,
    );
    expect(describeKubeError(err, { what: 'other' })).to.equal(err);
  });
});
