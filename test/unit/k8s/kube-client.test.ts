import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../../../lib/errors.js';
import {
  connectKube,
  InvalidKubeconfigError,
  KubeClient,
  KubeconfigMissingError,
  KubeUnreachableError,
  UnknownContextError,
} from '../../../lib/k8s/kube-client.js';
import { RecordedKubeApi, recordedKubeconfig, sendJson } from '../../support/recorded-kube-api.js';

const thrown = async (fn: () => unknown): Promise<Error> => {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
};

describe('loading a kubeconfig', () => {
  let dir: string;
  let api: RecordedKubeApi | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-kubeconfig-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await api?.dispose();
    api = undefined;
  });

  it('a missing file is an environment problem (exit 3), in one line naming the path', async () => {
    const path = join(dir, 'nope', 'kubeconfig');
    const err = await thrown(() => KubeClient.load({ kubeconfig: path }));
    expect(err).to.be.instanceOf(KubeconfigMissingError).and.instanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).to.equal(3);
    expect(err.message).to.equal(`kubeconfig ${path} not found`);
  });

  it('an unknown context is bad input (exit 2) and lists the known ones', async () => {
    const path = join(dir, 'two-contexts');
    await writeFile(path, recordedKubeconfig('http://127.0.0.1:1'));
    const err = await thrown(() => KubeClient.load({ kubeconfig: path, context: 'kind-pxchaos' }));
    expect(err).to.be.instanceOf(UnknownContextError).and.instanceOf(UsageError);
    expect((err as UsageError).exitCode).to.equal(2);
    expect(err.message).to.equal(
      `context 'kind-pxchaos' not in kubeconfig ${path}; known contexts: recorded, other`,
    );
    // The named context wins over current-context.
    expect(KubeClient.load({ kubeconfig: path, context: 'other' }).context).to.equal('other');
    expect(KubeClient.load({ kubeconfig: path }).context).to.equal('recorded');
  });

  it('no current-context and none asked for: bad input, listing the contexts', async () => {
    const path = join(dir, 'no-current');
    await writeFile(path, recordedKubeconfig('http://127.0.0.1:1').replace(/current-context: .*\n/, ''));
    const err = await thrown(() => KubeClient.load({ kubeconfig: path }));
    expect(err).to.be.instanceOf(UnknownContextError);
    expect(err.message).to.equal(
      `kubeconfig ${path} sets no current-context; known contexts: recorded, other`,
    );
  });

  it('a file that is not a kubeconfig is bad input (exit 2)', async () => {
    const path = join(dir, 'garbage');
    await writeFile(path, 'clusters: [unclosed\n');
    const err = await thrown(() => KubeClient.load({ kubeconfig: path }));
    expect(err).to.be.instanceOf(InvalidKubeconfigError);
    expect((err as UsageError).exitCode).to.equal(2);
    expect(err.message).to.match(new RegExp(`^kubeconfig ${path} is not a valid kubeconfig: .+`));
    expect(err.message).to.not.include('\n');
  });

  it('connectKube: an API server that refuses connections is exit 3, in one line', async () => {
    api = await new RecordedKubeApi(() => undefined).start();
    await api.stop();
    const err = await thrown(() => connectKube({ kubeconfig: api?.kubeconfig ?? '' }));
    expect(err).to.be.instanceOf(KubeUnreachableError);
    expect((err as EnvironmentError).exitCode).to.equal(3);
    expect(err.message).to.equal(
      `Kubernetes API server http://127.0.0.1:${api.port} (context recorded) unreachable: connection refused (127.0.0.1:${api.port})`,
    );
  });

  it('connectKube: an API server that never answers is exit 3 after the request deadline', async () => {
    api = await new RecordedKubeApi(() => undefined).start();
    const started = performance.now();
    const err = await thrown(() => connectKube({ kubeconfig: api?.kubeconfig ?? '', requestTimeoutMs: 400 }));
    expect(err).to.be.instanceOf(KubeUnreachableError);
    expect(err.message).to.equal(
      `Kubernetes API server http://127.0.0.1:${api.port} (context recorded) unreachable: timed out after 400ms`,
    );
    expect(performance.now() - started).to.be.within(400, 3_000);
  });

  it('connectKube: an answering server yields a client; its version is read', async () => {
    api = await new RecordedKubeApi((_req, res) =>
      sendJson(res, 200, { major: '1', minor: '20', gitVersion: 'v1.20.2' }),
    ).start();
    const client = await connectKube({ kubeconfig: api.kubeconfig });
    expect(client.server).to.equal(`http://127.0.0.1:${api.port}`);
    expect(api.requests.map((r) => r.path)).to.deep.equal(['/version']);
  });
});
