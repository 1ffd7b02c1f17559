import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { expect } from 'chai';
import {
  describeRunNamespace,
  runNamespaceStates,
} from '../../../lib/sut/postgres-on-k8s/dead-run-namespaces.js';
import { runNamespace } from '../../../lib/sut/postgres-on-k8s/run-namespace.js';
import {
  OWNER_HOST,
  OWNER_PID,
  OWNER_PID_START,
  runLiveness,
} from '../../../lib/sut/postgres-on-k8s/run-namespace-owner.js';

/** A pid that has just exited (and its start time is gone with it). */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

describe('run namespace owner: which leftover namespaces a run may remove', () => {
  it('records this process and finds it live', () => {
    const ns = runNamespace('pxchaos-run', 'abcd1234');
    expect(ns.metadata?.annotations?.[OWNER_PID]).to.equal(String(process.pid));
    expect(ns.metadata?.annotations?.[OWNER_HOST]).to.equal(hostname());
    expect(runLiveness(ns).state).to.equal('live');
  });

  it('calls a run dead only when its process on this host is gone (or its pid was reused)', () => {
    const dead = runNamespace('pxchaos-run', 'dead0001', {
      [OWNER_PID]: String(deadPid()),
      [OWNER_HOST]: hostname(),
    });
    expect(runLiveness(dead).state).to.equal('dead');
    const reused = runNamespace('pxchaos-run', 'dead0002', {
      [OWNER_PID]: String(process.pid),
      [OWNER_PID_START]: '1',
      [OWNER_HOST]: hostname(),
    });
    expect(runLiveness(reused).state, 'same pid, another start time').to.equal('dead');
  });

  it('never calls dead what it cannot check: another host, or no owner recorded', () => {
    const elsewhere = runNamespace('pxchaos-run', 'else0001', {
      [OWNER_PID]: String(deadPid()),
      [OWNER_HOST]: 'ci-runner-7',
    });
    expect(runLiveness(elsewhere)).to.include({ state: 'unknown' });
    const older = runNamespace('pxchaos-run', 'old00001', {});
    expect(runLiveness(older).state).to.equal('unknown');
    expect(describeRunNamespace(runNamespaceStates([older], 'pxchaos-run')[0]!, 'kind-x')).to.equal(
      'pxchaos-run-old00001 (Active): run of unknown liveness, no owner recorded (made by an older pxchaos); remove it once that run is over: kubectl --context kind-x delete namespace pxchaos-run-old00001',
    );
  });

  it('lists only the harness’s run namespaces, of any prefix when none is given', () => {
    const own = runNamespace('pxchaos-run', 'aaaa1111');
    const otherPrefix = runNamespace('ci-run', 'bbbb2222');
    const copied = { metadata: { name: 'production', labels: own.metadata?.labels } };
    const states = runNamespaceStates([copied, otherPrefix, own]);
    expect(states.map((s) => s.name)).to.deep.equal(['ci-run-bbbb2222', 'pxchaos-run-aaaa1111']);
    expect(runNamespaceStates([copied, otherPrefix, own], 'pxchaos-run').map((s) => s.name)).to.deep.equal([
      'pxchaos-run-aaaa1111',
    ]);
  });
});
