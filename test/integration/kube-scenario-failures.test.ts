import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EnvironmentError } from '../../lib/errors.js';
import { connectKube, type KubeClient } from '../../lib/k8s/kube-client.js';
import { acquireRunLease } from '../../lib/k8s/run-lease.js';
import type { KubeLabUp } from '../../lib/kube-lab/kube-lab-up.js';
import { DockerExecNode } from '../../lib/nodes/docker-exec-node.js';
import type { ScenarioResult } from '../../lib/observe/timeline-events.js';
import { RESULT_SUFFIX } from '../../lib/report/read-results.js';
import { GLUSTER_HEAL_PENDING, GLUSTER_LAUNCH_HEAL } from '../../lib/sut/gluster/gluster-node-commands.js';
import { postgresPod, psqlInPod } from '../../lib/sut/postgres-on-k8s/pod-sql.js';
import { startCli } from '../support/cli-process.js';
import { setCordoned } from '../support/kube-node-cordon.js';
import { requireDocker } from '../support/require-docker.js';
import { SHARED_KUBE_LAB, sharedKubeLab } from '../support/shared-kube-lab.js';
import { waitFor } from '../support/wait-for.js';
import { requireXmllint, validateXml } from '../support/xmllint.js';

const log = (line: string): void => console.log(`      ${line}`);
const PREFIX = 'pxchaos-fail-it';
const DELETED_ROWS = 1000;
/** Where the node image has bindfs, moved aside so the drive's restore cannot remount the brick. */
const BINDFS = '/usr/bin/bindfs';

/**
 * Each scenario must fail, naming the cause, when the cluster really misbehaves, not only pass when it
 * behaves. One `pxchaos run --target kind` on the kube lab (one arrange, pgbench scale 1), three
 * scenarios, each sabotaged behind the harness's back while its fault is in force:
 * - network-partition with every other worker cordoned: the pod is force-deleted and never rescheduled;
 * - agent-restart-within-grace: rows of pgbench_accounts deleted in the pod during the fault;
 * - drive-offline: the drive cannot come back (the brick's FUSE passthrough binary is gone).
 */
describe('kube scenarios fail, naming the cause, when the cluster misbehaves (pxchaos run --target kind)', function () {
  this.timeout(1_500_000);
  let up: KubeLabUp;
  let client: KubeClient;
  let dir: string;
  let workers: DockerExecNode[];
  let kept: DockerExecNode;
  const results = new Map<string, ScenarioResult>();
  let exitCode: number | null = null;

  const sh = (node: DockerExecNode, script: string) =>
    node.exec(['sh', '-c', script], { check: false, timeoutMs: 60_000 });
  const check = (scenario: string, name: RegExp) => {
    const verdict = results.get(scenario)?.verdicts.find((v) => name.test(v.name));
    if (!verdict) throw new Error(`${scenario}: no check matching ${String(name)}`);
    return verdict;
  };
  const runNamespaces = async (): Promise<string[]> =>
    (await client.call('list namespaces', () => client.core.listNamespace())).items
      .map((n) => n.metadata?.name ?? '')
      .filter((n) => n.startsWith(`${PREFIX}-`));

  before(async function () {
    await requireDocker(this);
    requireXmllint(this);
    up = await sharedKubeLab(log);
    client = await connectKube({ kubeconfig: up.access.kubeconfig, context: up.access.context });
    workers = up.layout.workers.map((w) => new DockerExecNode(w.name, w.name));
    const last = workers.at(-1);
    if (!last || workers.length < 3) throw new Error('the kube lab needs 3 workers');
    kept = last;
    dir = await mkdtemp(join(tmpdir(), 'pxchaos-kube-fail-'));
    // The pod can only ever run on `kept`: arranged there, and nowhere to go when it is cut off.
    for (const w of workers) if (w !== kept) await setCordoned(client, w.name, true);

    const config = join(dir, 'pxchaos.yaml');
    await writeFile(
      config,
      stringify({
        target: 'kind',
        kind: { clusterName: SHARED_KUBE_LAB },
        workload: { pgbenchScale: 1 },
        kube: { namespacePrefix: PREFIX, forceDeleteStuckPodAfter: '1s' },
        scenarios: {
          // NotReady 32-43 s after the cut (measured), the pod force-deleted 1 s later and Pending at
          // once: the wait ends at 40 s + 30 s margin, with the scheduler's reason on the pod.
          'network-partition': { hold: '40s', thresholds: { recoveryWithin: '40s' } },
          // drive-offline keeps its 40 s hold: held 20 s (less than Gluster's 30 s posix health
          // check), the drive could not be restored even after the sabotage was undone (CI, not
          // yet understood).
        },
      }),
    );
    const run = startCli(
      [
        'run',
        '--config',
        config,
        '--report-dir',
        dir,
        '--scenario',
        'network-partition',
        '--scenario',
        'agent-restart-within-grace',
        '--scenario',
        'drive-offline',
      ],
      { PXCHAOS_CONFIG: '' },
      // The run's own summary says "6 failing": marked as the CLI's, not this suite's.
      (line) => log(`run | ${line}`),
    );
    /** Resolves once `[<scenario> …] observe:` is printed: the fault is verified in force. */
    const inForce = (scenario: string) =>
      waitFor(
        `${scenario}'s fault in force`,
        () => {
          if (run.child.exitCode !== null)
            throw new Error(`run exited ${run.child.exitCode}: ${run.output()}`);
          return new RegExp(`\\[${scenario} [^\\]]*\\] observe:`).test(run.output());
        },
        1_200_000,
        200,
      );
    try {
      await inForce('agent-restart-within-grace');
      // The run holds the cluster's lease: a run from anywhere else is refused, naming it.
      const second = await acquireRunLease(client, { what: 'a second run' }).catch((err: unknown) => err);
      expect(second).to.be.instanceOf(EnvironmentError);
      expect((second as Error).message).to.match(
        new RegExp(`^the cluster is busy: pxchaos run on kind cluster ${SHARED_KUBE_LAB} from `),
      );
      const [ns] = await runNamespaces();
      if (!ns) throw new Error('no run namespace');
      // The brick freeze stalls every write for ~15 s: this DELETE commits when it thaws.
      const deleted = await psqlInPod(
        client,
        postgresPod(ns),
        `WITH d AS (DELETE FROM pgbench_accounts WHERE aid <= ${DELETED_ROWS} RETURNING 1) SELECT count(*) FROM d`,
        { timeoutMs: 90_000 },
      );
      log(`deleted ${deleted} pgbench_accounts rows in ${ns} during agent-restart-within-grace`);

      await inForce('drive-offline');
      const moved = await sh(kept, `mv ${BINDFS} ${BINDFS}.pxchaos-it`);
      expect(moved.exitCode, moved.stderr).to.equal(0);
      log(`moved bindfs aside on ${kept.name} during drive-offline`);
    } finally {
      exitCode = (await run.done).code;
      log(`pxchaos run exited ${String(exitCode)}`);
    }
    for (const s of ['network-partition', 'agent-restart-within-grace', 'drive-offline'])
      results.set(s, JSON.parse(await readFile(join(dir, `${s}${RESULT_SUFFIX}`), 'utf8')) as ScenarioResult);
  });

  after(async () => {
    if (!client) return;
    await sh(kept, `[ -e ${BINDFS} ] || mv ${BINDFS}.pxchaos-it ${BINDFS}`);
    for (const w of workers) await setCordoned(client, w.name, false).catch(() => undefined);
    // The drive fault's heal failed: its journal entry is open, for `pxchaos heal` (the run is gone).
    const heal = await startCli(['heal'], { PXCHAOS_CONFIG: '', PXCHAOS_KIND_CLUSTER_NAME: SHARED_KUBE_LAB })
      .done;
    log(`pxchaos heal: exit ${String(heal.code)}: ${heal.stdout.trim()}`);
    // Later suites settle on every volume of the lab: leave the replicas in sync.
    await waitFor(
      'the Gluster replicas back in sync',
      async () => {
        const pending = await kept.exec(GLUSTER_HEAL_PENDING, { check: false, timeoutMs: 30_000 });
        if (pending.exitCode !== 0) await kept.exec(GLUSTER_LAUNCH_HEAL, { check: false, timeoutMs: 30_000 });
        return pending.exitCode === 0;
      },
      300_000,
      5_000,
    );
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 with schema-valid JUnit, and deletes its run namespace', async () => {
    expect(exitCode).to.equal(1);
    const junit = validateXml(await readFile(join(dir, 'junit.xml'), 'utf8'));
    expect(junit.valid, junit.output).to.equal(true);
    expect(await runNamespaces()).to.deep.equal([]);
    // …and releases the cluster's lease.
    await (await acquireRunLease(client, { what: 'the next run' })).release();
  });

  it('network-partition: the pod never rescheduled fails recovery, naming the scheduler’s reason', () => {
    const recovered = check('network-partition', /^recovered within/);
    expect(recovered.passed, recovered.message).to.equal(false);
    expect(recovered.message).to.match(/at the heal: .*not scheduled \(Unschedulable: .*unschedulable/);
    log(`recovered: ${recovered.message ?? ''}`);
    // Nothing else went wrong: what was acknowledged is there.
    expect(check('network-partition', /^no acknowledged write lost/).passed).to.equal(true);
    expect(check('network-partition', /^rows preserved/).passed).to.equal(true);
  });

  it('agent-restart-within-grace: rows deleted behind the harness’s back fail the row and contents checks', () => {
    const rows = check('agent-restart-within-grace', /^rows preserved/);
    expect(rows.passed).to.equal(false);
    expect(rows.message).to.equal(`expected 100000 rows, found ${100000 - DELETED_ROWS} (-${DELETED_ROWS})`);
    const contents = check('agent-restart-within-grace', /^contents preserved/);
    expect(contents.passed).to.equal(false);
    expect(contents.message).to.match(/changed: aid 0–99999$/);
    expect(check('agent-restart-within-grace', /^no acknowledged write lost/).passed).to.equal(true);
  });

  it('drive-offline: a drive that cannot come back fails the health after heal and leaves the fault named', () => {
    const health = check('drive-offline', /^cluster healthy after heal/);
    expect(health.passed).to.equal(false);
    expect(health.message).to.match(/the heal failed: .*brick is unmounted after attach/);
    log(`healthy after heal: ${health.message ?? ''}`);
    const left = check('drive-offline', /^nothing left behind/);
    expect(left.passed).to.equal(false);
    expect(left.message).to.contain('drive-offline');
    // Writes went on to the two other replicas throughout.
    expect(check('drive-offline', /^no acknowledged write lost/).passed).to.equal(true);
  });
});
