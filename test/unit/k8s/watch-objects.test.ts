import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../../lib/k8s/kube-client.js';
import { watchObjects, type ObjectWatch, type WatchEvent } from '../../../lib/k8s/watch-objects.js';
import { RecordedKubeApi, sendJson } from '../../support/recorded-kube-api.js';
import { waitFor } from '../../support/wait-for.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'k8s');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

interface Pod {
  metadata: { name: string; uid: string; resourceVersion: string };
}
interface PodList {
  metadata: { resourceVersion: string };
  items: Pod[];
}
const list1 = JSON.parse(fixture('pods-list-1.json')) as PodList;
const list2 = JSON.parse(fixture('pods-list-2.json')) as PodList;
const watch1 = fixture('pods-watch-1.jsonl');
const expired = fixture('watch-410-expired.jsonl');
const PATH = '/api/v1/namespaces/h9-rec/pods';

const summary = (events: WatchEvent<Pod>[]): string[] =>
  events.map(
    (e) =>
      `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}${e.fromRelist ? ' (relist)' : ''}`,
  );

describe('watchObjects (recorded API server responses)', () => {
  let api: RecordedKubeApi | undefined;
  let watch: ObjectWatch | undefined;

  afterEach(async () => {
    await watch?.stop();
    await api?.dispose();
    watch = undefined;
    api = undefined;
  });

  it('re-lists after a 410 ERROR event and delivers what changed meanwhile', async () => {
    api = await new RecordedKubeApi(
      (_req, res, n) => sendJson(res, 200, n === 0 ? list1 : list2),
      (_req, res, n) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        // First watch: the recorded change, then the recorded "too old resource version"; stays open.
        if (n === 0) res.write(watch1 + expired);
      },
    ).start();
    const events: WatchEvent<Pod>[] = [];
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    watch = watchObjects<Pod>(client, PATH, (e) => events.push(e), { labelSelector: 'app=rec' });
    await waitFor('the watch after the re-list', () => api?.watches().length === 2, 10_000);

    const first = list1.items.map((p) => `ADDED ${p.metadata.name}@${p.metadata.resourceVersion}`);
    const watched = watch1
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: Pod })
      .map((e) => `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`);
    const gone = list1.items.filter((p) => !list2.items.some((q) => q.metadata.uid === p.metadata.uid));
    const added = list2.items.filter((p) => !list1.items.some((q) => q.metadata.uid === p.metadata.uid));
    const changed = list2.items.filter((p) => list1.items.some((q) => q.metadata.uid === p.metadata.uid));
    expect(gone, 'the fixtures hold a deletion').to.not.be.empty;
    expect(added, 'the fixtures hold a creation').to.not.be.empty;
    const derived = [
      ...changed.map((p) => `MODIFIED ${p.metadata.name}@${p.metadata.resourceVersion} (relist)`),
      ...added.map((p) => `ADDED ${p.metadata.name}@${p.metadata.resourceVersion} (relist)`),
      ...gone.map((p) => `DELETED ${p.metadata.name}@${p.metadata.resourceVersion} (relist)`),
    ];
    const got = summary(events);
    expect(got.slice(0, first.length + watched.length)).to.deep.equal([...first, ...watched]);
    expect(got.slice(first.length + watched.length)).to.have.members(derived);
    expect(got).to.have.length(first.length + watched.length + derived.length);

    // Each watch resumes from the list it follows, with a server-side timeout and bookmarks.
    const [w1, w2] = api.watches();
    expect(w1?.query.get('resourceVersion')).to.equal(list1.metadata.resourceVersion);
    expect(w2?.query.get('resourceVersion')).to.equal(list2.metadata.resourceVersion);
    expect(w1?.query.get('timeoutSeconds')).to.match(/^\d+$/);
    expect(w1?.query.get('allowWatchBookmarks')).to.equal('true');
    expect(w1?.query.get('labelSelector')).to.equal('app=rec');
    expect(watch.stats).to.include({ lists: 2, expired: 1 });
  });

  it('re-lists when the watch request itself is answered 410 Gone', async () => {
    const status = JSON.parse(expired) as { object: unknown };
    api = await new RecordedKubeApi(
      (_req, res, n) => sendJson(res, 200, n === 0 ? list1 : list2),
      (_req, res, n) => (n === 0 ? sendJson(res, 410, status.object) : res.writeHead(200).flushHeaders()),
    ).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    watch = watchObjects<Pod>(client, PATH, () => undefined);
    await waitFor('a second watch', () => api?.watches().length === 2, 10_000);
    expect(api.lists()).to.have.length(2);
    expect(api.watches()[1]?.query.get('resourceVersion')).to.equal(list2.metadata.resourceVersion);
  });

  it('reopens a silent watch from the last resourceVersion (bookmarks count), without re-listing', async () => {
    const bookmark = { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '2450' } } };
    api = await new RecordedKubeApi(
      (_req, res) => sendJson(res, 200, list1),
      (_req, res, n) => {
        res.writeHead(200).flushHeaders();
        if (n === 0) res.write(`${JSON.stringify(bookmark)}\n`);
        // then nothing, ever: a dead connection looks exactly like this
      },
    ).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    const events: WatchEvent<Pod>[] = [];
    const started = performance.now();
    watch = watchObjects<Pod>(client, PATH, (e) => events.push(e), { livenessMs: 400, timeoutSeconds: 60 });
    await waitFor('a second watch', () => api?.watches().length === 2, 10_000);
    const elapsed = performance.now() - started;
    expect(elapsed).to.be.at.least(400);
    expect(api.watches()[1]?.query.get('resourceVersion')).to.equal('2450');
    expect(api.lists()).to.have.length(1);
    expect(events.every((e) => e.type === 'ADDED')).to.equal(true);
    expect(watch.stats.silent).to.be.at.least(1);
  });

  it('resumes after the API server goes away and comes back, then delivers again', async () => {
    const change = watch1.trim().split('\n')[0] ?? '';
    api = await new RecordedKubeApi(
      (_req, res) => sendJson(res, 200, list1),
      (_req, res, n) => {
        res.writeHead(200).flushHeaders();
        if (n >= 1) res.write(`${change}\n`);
      },
    ).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    const events: WatchEvent<Pod>[] = [];
    const retries: string[] = [];
    watch = watchObjects<Pod>(client, PATH, (e) => events.push(e), {
      retryDelayMs: 50,
      maxRetryDelayMs: 200,
      onNotice: (n) => n.kind === 'retry' && retries.push(n.error),
    });
    await waitFor('the first watch', () => api?.watches().length === 1, 10_000);
    await api.stop();
    await waitFor('a refused reconnect', () => retries.length >= 2, 10_000);
    await api.restart();
    await waitFor('the change after the restart', () => events.some((e) => e.type === 'MODIFIED'), 10_000);
    expect(
      retries.some((r) => /unreachable: connection refused \(127\.0\.0\.1:\d+\)$/.test(r)),
      retries.join('; '),
    ).to.be.true;
    expect(api.watches().at(-1)?.query.get('resourceVersion')).to.equal(list1.metadata.resourceVersion);
    expect(api.lists()).to.have.length(1);
  });

  it('gives up with one readable line when the server stays away past giveUpAfterMs', async () => {
    api = await new RecordedKubeApi((_req, res) => sendJson(res, 200, list1)).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    await api.stop();
    const started = performance.now();
    watch = watchObjects<Pod>(client, PATH, () => undefined, { retryDelayMs: 50, giveUpAfterMs: 600 });
    const err = await watch.done.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const elapsed = performance.now() - started;
    expect(err?.message).to.match(
      /^watch \/api\/v1\/namespaces\/h9-rec\/pods: gave up after failing for \d+ms: list .*unreachable: connection refused/,
    );
    expect(elapsed).to.be.within(600, 5_000);
  });

  it('stops on its signal, and stop() is idempotent', async () => {
    api = await new RecordedKubeApi((_req, res) => sendJson(res, 200, list1)).start();
    const client = KubeClient.load({ kubeconfig: api.kubeconfig });
    const controller = new AbortController();
    watch = watchObjects<Pod>(client, PATH, () => undefined, { signal: controller.signal });
    await waitFor('the watch', () => api?.watches().length === 1, 10_000);
    controller.abort();
    await watch.done;
    await Promise.all([watch.stop(), watch.stop()]);
    expect(api.watches()).to.have.length(1);
  });
});
