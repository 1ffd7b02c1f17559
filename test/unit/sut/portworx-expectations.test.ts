import { expect } from 'chai';
import type { FaultKind } from '../../../lib/sut/expectations.js';
import {
  PORTWORX_DOCUMENTED_DEFAULTS,
  portworxExpectations,
  portworxRecovery,
  portworxUnsupportedFaults,
  PX_MARKS_OFFLINE_MARGIN_S,
  PX_MARKS_OFFLINE_METRIC,
  type PortworxDetected,
} from '../../../lib/sut/portworx/portworx-expectations.js';
import { NO_STORK, type StorkConfig } from '../../../lib/sut/portworx/stork-config.js';

const stork = (
  major: number | undefined,
  minor = 0,
  over: Partial<StorkConfig> = {},
  patch?: number,
): StorkConfig => ({
  present: true,
  ...(major !== undefined && { version: { major, minor, ...(patch !== undefined && { patch }) } }),
  healthMonitor: true,
  healthMonitorIntervalS: 120,
  ...over,
});
const detected = (
  s: StorkConfig,
  replicationFactor = 2,
  more: Partial<PortworxDetected> = {},
): PortworxDetected => ({
  stork: s,
  replicationFactor,
  ...more,
});
const ALL: FaultKind[] = [
  'network-partition',
  'agent-restart-within-grace',
  'agent-down-past-grace',
  'drive-offline',
];

describe('portworxExpectations', () => {
  it('with Stork 23.5 at its defaults and repl 2: the figures portworx.md states', () => {
    const e = portworxExpectations(detected(stork(23, 5)));
    expect(Object.keys(e).sort()).to.deep.equal([...ALL].sort());
    // 30 s hold (Stork's short-outage test), PX's start within 60 s, same pod, no failed write.
    expect(e['agent-restart-within-grace']).to.include({
      holdMs: 30_000,
      recoveryWithinMs: 90_000,
      failedWritesAllowed: false,
      primaryMoves: false,
    });
    // 120 s poll + 150 s backoff = 270 s (23.5 deletes a node's pods at once: no batches before
    // v24.3.1); + 60 s for PX to mark the node Offline (no source); + 60 s pod start.
    expect(e['agent-down-past-grace']).to.include({
      holdMs: 330_000,
      recoveryWithinMs: 390_000,
      failedWritesAllowed: true,
      primaryMoves: true,
    });
    expect(e['network-partition']).to.include({
      holdMs: 330_000,
      recoveryWithinMs: 390_000,
      failedWritesAllowed: true,
      primaryMoves: true,
    });
    // ≥ 23.5 keeps the pod on the StorageDown node: writes continue.
    expect(e['drive-offline']).to.include({
      holdMs: 270_000,
      recoveryWithinMs: 60_000,
      failedWritesAllowed: false,
      primaryMoves: false,
    });
    expect(e['agent-down-past-grace']!.notes).to.match(/StorageDriverOffline/);
  });

  it("Stork's batches of deletions (v24.3.1 on, and an unknown version) add 30 s to the worst case", () => {
    for (const s of [stork(24, 3, {}, 1), stork(undefined)]) {
      const e = portworxExpectations(detected(s))['agent-down-past-grace']!;
      expect(e, JSON.stringify(s)).to.include({ holdMs: 360_000, recoveryWithinMs: 420_000 });
      expect(e.source).to.match(/pods in batches of 5 every 30 s \(since stork v24\.3\.1, PR #1834\)/);
    }
    expect(portworxExpectations(detected(stork(24, 3, {}, 0)))['agent-down-past-grace']).to.include({
      holdMs: 330_000,
    });
  });

  it('with Stork older than 23.5 the pod leaves a StorageDown node; an unknown version may do either', () => {
    const old = portworxExpectations(detected(stork(23, 4)))['drive-offline']!;
    expect(old).to.include({ primaryMoves: true, failedWritesAllowed: true, recoveryWithinMs: 330_000 });
    expect(old.source).to.match(/Stork 23\.4 < 23\.5 deletes pods/);
    const unknown = portworxExpectations(detected(stork(undefined)))['drive-offline']!;
    expect(unknown).to.include({ primaryMoves: 'either', failedWritesAllowed: true });
    expect(unknown.source).to.match(/Stork unknown \(no version in its image tag\)/);
    expect(portworxExpectations(detected(stork(24, 1)))['drive-offline']).to.include({ primaryMoves: false });
  });

  it('the 150 s backoff from Stork v2.9.0, 40 s from v2.3.4 to v2.8: the within-grace hold fits it', () => {
    const hold = (s: StorkConfig) => portworxExpectations(detected(s))['agent-restart-within-grace']!;
    // Grace 40 s (a poll right at the stop, then 40 s): held 20 s, PX's start within 60 s.
    for (const s of [stork(2, 8), stork(2, 8, {}, 2), stork(2, 3, {}, 4), stork(2, 6)]) {
      expect(hold(s), JSON.stringify(s.version)).to.include({ holdMs: 20_000, recoveryWithinMs: 80_000 });
      expect(hold(s).source).to.match(/backoff 4 × 10 = 40 s \(stork v2\.3\.4 to v2\.8, commit 2033f1fb/);
      expect(hold(s).source).to.match(/grace 40 s \(Stork's earliest deletion/);
    }
    for (const s of [stork(2, 9), stork(2, 12), stork(23, 0)]) {
      expect(hold(s), JSON.stringify(s.version)).to.include({ holdMs: 30_000 });
      expect(hold(s).source).to.match(
        /backoff 10\+20\+40\+80 = 150 s \(since stork v2\.9\.0, commit 44fe3c71\)/,
      );
    }
    // Past grace with the 40 s backoff: 120 + 40 = 160 s, no batches then; + 60 s to mark Offline.
    expect(portworxExpectations(detected(stork(2, 8)))['agent-down-past-grace']).to.include({
      holdMs: 220_000,
    });
  });

  it('Stork before v2.3.4 deletes at the poll that sees PX offline: no restart is within grace', () => {
    for (const s of [stork(2, 3, {}, 3), stork(2, 1, {}, 2), stork(1, 1, {}, 3)]) {
      const d = detected(s);
      expect(Object.keys(portworxExpectations(d)), JSON.stringify(s.version)).to.not.include(
        'agent-restart-within-grace',
      );
      expect(portworxUnsupportedFaults(d)['agent-restart-within-grace']).to.match(
        /no backoff \(before stork v2\.3\.4.*no PX restart is sure to stay within a grace window \(grace 0 s/,
      );
      // 120 s poll, then the pods at once; + 60 s to mark Offline.
      expect(portworxExpectations(d)['agent-down-past-grace']).to.include({ holdMs: 180_000 });
    }
  });

  it('follows a non-default health-monitor interval; 0 is Stork’s 120 s', () => {
    const e = portworxExpectations(detected(stork(23, 5, { healthMonitorIntervalS: 60 })));
    // 60 + 150 = 210 s, + 60 s to mark Offline.
    expect(e['agent-down-past-grace']).to.include({ holdMs: 270_000, recoveryWithinMs: 330_000 });
    expect(e['agent-down-past-grace']!.source).to.match(
      /health monitor every 60 s \(detected from the stork Deployment\)/,
    );
    const zero = portworxExpectations(detected(stork(23, 5, { healthMonitorIntervalS: 0 })));
    expect(zero['agent-down-past-grace']).to.include({ holdMs: 330_000 });
    expect(zero['agent-down-past-grace']!.source).to.match(/--health-monitor-interval=0: Stork uses 120 s/);
  });

  it('PX marking a node Offline has no source: the Stork limits leave 60 s for it, say so, and name the measured metric', () => {
    for (const s of [stork(23, 5), stork(2, 8), stork(undefined)]) {
      const e = portworxExpectations(detected(s));
      for (const kind of ['agent-down-past-grace', 'network-partition'] as const) {
        const what = `${kind} ${JSON.stringify(s.version)}`;
        expect(e[kind]!.source, what).to.include(
          `+ ${PX_MARKS_OFFLINE_MARGIN_S} s for PX to mark the node Offline before Stork's backoff can start (harness margin: no public source gives this time; each run measures it as platform_px_peers_offline_ms)`,
        );
        expect(e[kind]!.notes, what).to.include(
          `this run's ${PX_MARKS_OFFLINE_METRIC} is that time as measured`,
        );
      }
    }
    // Where nothing waits for PX's own view (no Stork: the harness's delete), no such margin.
    for (const e of Object.values(portworxExpectations(detected(NO_STORK))))
      expect(e.source).to.not.include('mark the node Offline');
  });

  it('an interval below 30 s makes Stork exit at start-up, not clamp: no Stork acts', () => {
    const d = detected(stork(23, 5, { healthMonitorIntervalS: 10 }));
    const e = portworxExpectations(d);
    // As without Stork: EIO after pxd_timeout 600 s, the harness deletes 30 s later; the pod may
    // come back on the node (no extender).
    expect(e['agent-down-past-grace']).to.include({ holdMs: 630_000, primaryMoves: 'either' });
    expect(e['agent-down-past-grace']!.source).to.match(
      /Stork 23\.5 exits at start-up: --health-monitor-interval=10 is below its minimum 30 s/,
    );
    expect(e['network-partition']).to.include({ holdMs: 70_000 });
    expect(portworxRecovery(d)).to.include({ movedBy: 'harness', schedulerName: 'default-scheduler' });
  });

  it('with the health monitor off: EIO after pxd_timeout, and the harness deletes the pod', () => {
    const e = portworxExpectations(detected(stork(23, 5, { healthMonitor: false })));
    // 600 s + 30 s until the delete, + 60 s pod start; Stork's extender still places the pod.
    expect(e['agent-down-past-grace']).to.include({
      holdMs: 630_000,
      recoveryWithinMs: 690_000,
      failedWritesAllowed: true,
      primaryMoves: true,
    });
    expect(e['agent-down-past-grace']!.source).to.match(
      /health monitor off .*EIO after pxd_timeout 600 s \(the default/,
    );
    // NotReady 40 s + the harness's force delete 30 s, + 60 s.
    expect(e['network-partition']).to.include({
      holdMs: 70_000,
      recoveryWithinMs: 130_000,
      primaryMoves: true,
    });
    // Nothing deletes the pod off a StorageDown node, whatever Stork's version.
    expect(e['drive-offline']).to.include({
      holdMs: 60_000,
      failedWritesAllowed: false,
      primaryMoves: false,
    });
    expect(e['agent-restart-within-grace']).to.include({ holdMs: 30_000 });
  });

  it('without Stork: the new pod may land back on the node, and a detected pxd_timeout is used', () => {
    const e = portworxExpectations(detected(NO_STORK, 2, { pxdTimeoutS: 120 }));
    expect(e['agent-down-past-grace']).to.include({
      holdMs: 150_000,
      recoveryWithinMs: 210_000,
      primaryMoves: 'either',
    });
    expect(e['agent-down-past-grace']!.source).to.match(
      /no Stork Deployment detected.*pxd_timeout 120 s \(detected\)/,
    );
    // A short pxd_timeout shortens the within-grace hold: min(30, 30 / 2).
    expect(
      portworxExpectations(detected(NO_STORK, 2, { pxdTimeoutS: 30 }))['agent-restart-within-grace'],
    ).to.include({ holdMs: 15_000 });
  });

  it('a given grace overrides the computed one', () => {
    const e = portworxExpectations(detected(stork(23, 5), 2, { graceS: 20 }))['agent-restart-within-grace']!;
    expect(e.holdMs).to.equal(10_000);
    expect(e.source).to.match(/grace 20 s \(given\)/);
  });

  it('repl 1: only the restart within grace, the others unsupported with a reason', () => {
    const d = detected(stork(23, 5), 1);
    expect(Object.keys(portworxExpectations(d))).to.deep.equal(['agent-restart-within-grace']);
    const why = portworxUnsupportedFaults(d);
    expect(Object.keys(why).sort()).to.deep.equal([
      'agent-down-past-grace',
      'drive-offline',
      'network-partition',
    ]);
    for (const reason of Object.values(why)) expect(reason).to.match(/^repl 1 \(detected\): .*only replica/);
  });

  it('repl 2 and repl 3: the same figures, all four faults, the detected repl in each source', () => {
    const two = portworxExpectations(detected(stork(23, 5), 2));
    const three = portworxExpectations(detected(stork(23, 5), 3));
    expect(portworxUnsupportedFaults(detected(stork(23, 5), 3))).to.deep.equal({});
    for (const kind of ALL) {
      const { source: s2, ...f2 } = two[kind]!;
      const { source: s3, ...f3 } = three[kind]!;
      expect(f3, kind).to.deep.equal(f2);
      if (kind !== 'agent-restart-within-grace') {
        expect(s2, kind).to.include('repl 2 (detected)');
        expect(s3, kind).to.include('repl 3 (detected)');
      }
    }
  });

  it('refuses detected values it cannot use', () => {
    expect(() => portworxExpectations(detected(stork(23, 5), 0))).to.throw(/replication factor 0/);
    expect(() => portworxExpectations(detected(stork(23, 5), 1.5))).to.throw(/replication factor 1.5/);
    expect(() => portworxExpectations(detected(stork(23, 5), 2, { pxdTimeoutS: 10 }))).to.throw(
      /minimum 30 s/,
    );
    expect(() => portworxExpectations(detected(stork(23, 5), 2, { graceS: 0 }))).to.throw(/grace 0 s/);
  });

  it('every expectation in every configuration cites portworx.md and the Stork configuration it used', () => {
    const storks = [
      stork(23, 5),
      stork(2, 6),
      stork(2, 1, {}, 2),
      stork(23, 5, { healthMonitorIntervalS: 10 }),
      stork(undefined),
      stork(23, 5, { healthMonitor: false }),
      NO_STORK,
    ];
    for (const s of storks) {
      for (const repl of [1, 2, 3]) {
        for (const [kind, e] of Object.entries(portworxExpectations(detected(s, repl)))) {
          const what = `${kind} (stork ${JSON.stringify(s)}, repl ${repl})`;
          expect(e.source, what).to.include('portworx.md');
          expect(e.source, what).to.match(/Stork|no Stork/);
          expect(e.recoveryWithinMs, what).to.be.greaterThan(0);
          expect(e.holdMs, what).to.be.greaterThan(0);
        }
      }
    }
  });

  it('the documented defaults give the full table', () => {
    expect(Object.keys(portworxExpectations(PORTWORX_DOCUMENTED_DEFAULTS)).sort()).to.deep.equal(
      [...ALL].sort(),
    );
  });
});

describe('portworxRecovery', () => {
  it('Stork with its health monitor moves the pod: no harness delete', () => {
    const r = portworxRecovery(detected(stork(23, 5)));
    expect(r).to.include({ movedBy: 'stork', schedulerName: 'stork' });
    expect(r.forceDeleteStuckPodAfterMs).to.equal(undefined);
    expect(r.deletePodAfterAgentDownMs).to.equal(undefined);
    expect(r.source).to.include('portworx.md');
  });

  it('health monitor off: the harness force-deletes after 30 s NotReady and deletes after pxd_timeout + 30 s', () => {
    const r = portworxRecovery(detected(stork(23, 5, { healthMonitor: false }), 2, { pxdTimeoutS: 300 }));
    expect(r).to.include({
      movedBy: 'harness',
      forceDeleteStuckPodAfterMs: 30_000,
      deletePodAfterAgentDownMs: 330_000,
      schedulerName: 'stork',
    });
    expect(r.source).to.match(/portworx\.md.*health monitor off.*pxd_timeout 300 s \(detected\)/);
  });

  it('no Stork: the harness deletes, and the StatefulSet must not name the stork scheduler', () => {
    const r = portworxRecovery(detected(NO_STORK));
    expect(r).to.include({
      movedBy: 'harness',
      forceDeleteStuckPodAfterMs: 30_000,
      deletePodAfterAgentDownMs: 630_000,
      schedulerName: 'default-scheduler',
    });
    expect(r.source).to.match(/no Stork Deployment detected/);
  });
});
