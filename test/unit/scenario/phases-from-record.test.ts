import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecoveryPhase } from '../../../lib/observe/recovery-phase.js';
import { loadTimeline, type TimelineData } from '../../../lib/observe/timeline.js';
import type { FaultEvent, PlatformEvent, TimelineEvent } from '../../../lib/observe/timeline-events.js';
import { verdictsFromRecord, type Judged } from '../../../lib/scenario/verdicts-from-record.js';

/** Real runs' timelines (each folder's README says where they come from). */
const FIXTURES = fileURLToPath(new URL('../../fixtures/reports/', import.meta.url));
const fixture = (dir: string, name: string) =>
  loadTimeline(path.join(FIXTURES, dir, `${name}.timeline.json`));
/** The availability probe's interval in these runs (workload.probeInterval's default). */
const PROBE_INTERVAL_MS = 100;

function judged(data: TimelineData): Judged {
  const j = verdictsFromRecord(data);
  if (!j) throw new Error('the fixture has no flow record');
  return j;
}

function withEvents(data: TimelineData, keep: (e: TimelineEvent) => boolean, add: TimelineEvent[] = []) {
  return { ...data, events: [...data.events.filter(keep), ...add].sort((a, b) => a.t - b.t) };
}

function withTimings(
  data: TimelineData,
  timings: Record<string, { ms: number; source: string }>,
): TimelineData {
  const flow = data.measurements.flow;
  if (!flow) throw new Error('no flow record');
  return {
    ...data,
    measurements: { ...data.measurements, flow: { ...flow, facts: { ...flow.facts, timings } } },
  };
}

const injectedAt = (data: TimelineData): FaultEvent => {
  const e = data.events.find((x): x is FaultEvent => x.kind === 'fault' && x.phase === 'injected');
  if (!e) throw new Error('no injection');
  return e;
};

/** The first platform event of that name from `from` on, as the test reads the timeline itself. */
function firstPlatform(
  data: TimelineData,
  from: number,
  match: (e: PlatformEvent) => boolean,
): PlatformEvent {
  const e = data.events.find((x): x is PlatformEvent => x.kind === 'platform' && x.t >= from && match(x));
  if (!e) throw new Error('no such event in the fixture');
  return e;
}

function expectTilesRto(phases: readonly RecoveryPhase[] | undefined, rto: number | string | undefined) {
  expect(phases, 'phases').to.be.an('array').that.is.not.empty;
  const sum = (phases ?? []).reduce((s, p) => s + p.durationMs, 0);
  expect(typeof rto).to.equal('number');
  expect(Math.abs(sum - Number(rto))).to.be.at.most(PROBE_INTERVAL_MS);
  (phases ?? []).forEach((p, i) => {
    if (i > 0) expect(p.startMs).to.equal(phases?.[i - 1]?.endMs);
  });
}

describe('recovery phases of real timelines', () => {
  describe('kind/gluster network-partition (the pod moves)', () => {
    it('splits the RTO at the node NotReady, the deletion, scheduling, first container event, Started and Ready', async () => {
      const data = await fixture('kind-gluster', 'network-partition');
      const { phases, metrics } = judged(data);
      expectTilesRto(phases, metrics.rto_ms);
      expect(phases?.map((p) => p.name)).to.deep.equal([
        'detection',
        'fencing',
        'scheduling',
        'volume',
        'container',
        'crash_recovery',
        'first_write',
      ]);
      const fault = injectedAt(data);
      const at = (e: PlatformEvent) => Math.round((e.t - fault.t) * 10) / 10;
      const notReady = firstPlatform(
        data,
        fault.t,
        (e) => e.event === 'node-not-ready' && e.node === fault.node,
      );
      const deleted = firstPlatform(data, fault.t, (e) => e.event === 'pod-deleted');
      const started = firstPlatform(
        data,
        fault.t,
        (e) => e.event === 'k8s:Started' && /container postgres$/.test(e.detail ?? ''),
      );
      const ends = Object.fromEntries((phases ?? []).map((p) => [p.name, p.endMs]));
      expect(ends.detection).to.equal(at(notReady));
      expect(ends.fencing).to.equal(at(deleted));
      expect(ends.container).to.equal(at(started));
      expect(metrics.phase_fencing_by).to.equal('the harness (stuck-pod remedy)');
      // Each measured phase is a judged duration in the metrics.
      for (const p of phases ?? []) expect(metrics[`phase_${p.name}_ms`]).to.equal(p.durationMs);
    });

    it('says who deleted the pod from the events alone: the taint manager when its eviction is the nearest', async () => {
      const data = await fixture('kind-gluster', 'network-partition');
      const deleted = firstPlatform(data, injectedAt(data).t, (e) => e.event === 'pod-deleted');
      const eviction: PlatformEvent = {
        kind: 'platform',
        t: deleted.t - 50,
        wall: deleted.wall - 50,
        event: 'k8s:TaintManagerEviction',
        detail: 'pod/postgres-0: Marking for deletion Pod pxchaos-run/postgres-0',
      };
      const none = judged(
        withEvents(data, (e) => !(e.kind === 'platform' && e.event === 'pod-force-deleted')),
      );
      expect(none.metrics.phase_fencing_by).to.match(/^not recorded/);
      const taint = judged(
        withEvents(data, (e) => !(e.kind === 'platform' && e.event === 'pod-force-deleted'), [eviction]),
      );
      expect(taint.metrics.phase_fencing_by).to.equal('the taint manager (tolerationSeconds)');
    });

    it('makes an unknown phase where an event is missing, still adding up to the RTO', async () => {
      const data = await fixture('kind-gluster', 'network-partition');
      const { phases, metrics } = judged(
        withEvents(data, (e) => !(e.kind === 'platform' && e.event === 'k8s:Started')),
      );
      expectTilesRto(phases, metrics.rto_ms);
      const unknown = phases?.find((p) => p.name === 'unknown');
      expect(unknown?.covers?.map((c) => c.name)).to.deep.equal(['container', 'crash_recovery']);
      expect(metrics).to.not.have.property('phase_container_ms');
      expect(metrics.phase_unknown_ms).to.equal(unknown?.durationMs);
    });

    it('predicts the fencing from the force-delete delay the run saved, with its source', async () => {
      const data = withTimings(await fixture('kind-gluster', 'network-partition'), {
        forceDeleteStuckPodAfter: { ms: 30_000, source: 'the gluster driver default' },
        tolerationSeconds: { ms: 300_000, source: 'kube.tolerationSeconds' },
      });
      const { phases, metrics } = judged(data);
      expect(metrics.phase_fencing_predicted_ms).to.equal(30_000);
      const fencing = phases?.find((p) => p.name === 'fencing');
      expect(fencing?.predicted?.source).to.include(
        'forceDeleteStuckPodAfter 30 s (the gluster driver default)',
      );
      expect(fencing?.predicted?.source).to.include('tolerationSeconds 300 s');
      // The harness's timer starts when it sees NotReady: the measured fencing lands just past it.
      expect(Number(metrics.phase_fencing_ms)).to.be.within(30_000, 31_000);
      // Nothing predicts the phases no setting determines.
      expect(metrics).to.not.have.property('phase_volume_predicted_ms');
    });
  });

  describe('kind/gluster network-partition: detection predicted from the controller manager', () => {
    it('predicts NotReady within node-monitor-grace-period less a heartbeat, plus a check', async () => {
      const data = withTimings(await fixture('kind-gluster', 'network-partition'), {
        nodeMonitorGracePeriod: {
          ms: 40_000,
          source: "the controller manager's --node-monitor-grace-period",
        },
      });
      const { phases, metrics } = judged(data);
      const detection = phases?.find((p) => p.name === 'detection');
      expect(detection?.predicted?.lowMs).to.equal(30_000);
      expect(detection?.predicted?.highMs).to.equal(45_000);
      expect(detection?.predicted?.source).to.include('node-monitor-grace-period 40 s');
      expect(metrics.phase_detection_predicted_ms).to.equal(45_000);
      // The real run: measured inside the predicted range.
      expect(Number(metrics.phase_detection_ms)).to.be.within(30_000, 45_000);
    });
  });

  describe('kind/gluster brick freezes (the pod stays)', () => {
    it('past grace: no event marks the brick dropped, so its stretch is unknown, predicted by ping-timeout', async () => {
      const data = withTimings(await fixture('kind-gluster', 'agent-down-past-grace'), {
        pingTimeout: { ms: 42_000, source: "Gluster's default" },
      });
      const { phases, metrics } = judged(data);
      expectTilesRto(phases, metrics.rto_ms);
      expect(phases?.[0]?.name).to.equal('unknown');
      expect(phases?.[0]?.covers?.map((c) => c.name)).to.deep.equal(['brick_dropped', 'io_resumed']);
      expect(metrics.phase_brick_dropped_predicted_ms).to.equal(42_000);
    });

    it('within grace: frozen until the heal, then I/O resumes', async () => {
      const data = await fixture('kind-gluster', 'agent-restart-within-grace');
      const { phases, metrics } = judged(data);
      expectTilesRto(phases, metrics.rto_ms);
      expect(phases?.map((p) => p.name)).to.deep.equal(['frozen', 'io_resumed', 'first_write']);
      expect(phases?.[0]?.endMs).to.equal(metrics.fault_heal_started_ms);
    });

    it('gives no phases where nothing failed (rto 0)', async () => {
      const { phases, metrics } = judged(await fixture('kind-gluster', 'drive-offline'));
      expect(metrics.rto_ms).to.equal(0);
      expect(phases).to.equal(undefined);
      expect(Object.keys(metrics).filter((k) => k.startsWith('phase_'))).to.deep.equal([]);
    });
  });

  describe('lab/patroni network-partition (a failover)', () => {
    for (const name of ['network-partition', 'network-partition.rep2']) {
      it(`${name}: the leader key expires, a replica promotes, the first write`, async () => {
        const data = await fixture('lab-patroni', name);
        const { phases, metrics } = judged(data);
        expectTilesRto(phases, metrics.rto_ms);
        expect(phases?.map((p) => p.name)).to.deep.equal(['detection', 'promotion', 'first_write']);
        const fault = injectedAt(data);
        const lost = firstPlatform(data, fault.t, (e) => e.event === 'leader-lost');
        expect(phases?.[0]?.endMs).to.equal(Math.round((lost.t - fault.t) * 10) / 10);
      });
    }

    it('ends the promotion at the first write when the watch saw the new leader after it', async () => {
      const data = await fixture('lab-patroni', 'network-partition');
      const fault = injectedAt(data);
      const changed = firstPlatform(data, fault.t, (e) => e.event === 'leader-changed');
      const { phases, metrics } = judged(data);
      expect(changed.t - fault.t).to.be.greaterThan(Number(metrics.rto_ms));
      const promotion = phases?.find((p) => p.name === 'promotion');
      expect(promotion?.endMs).to.equal(metrics.rto_ms);
      expect(promotion?.note).to.match(/after first_write/);
    });

    it("predicts the key's expiry from ttl and loop_wait, the promotion within loop_wait", async () => {
      const source = 'lab.patroni';
      const data = withTimings(await fixture('lab-patroni', 'network-partition.rep2'), {
        ttl: { ms: 20_000, source },
        loopWait: { ms: 2_000, source },
      });
      const { phases } = judged(data);
      expect(phases?.[0]?.predicted).to.include({ lowMs: 18_000, highMs: 20_000 });
      expect(phases?.[1]?.predicted).to.include({ lowMs: 0, highMs: 2_000 });
    });
  });
});
