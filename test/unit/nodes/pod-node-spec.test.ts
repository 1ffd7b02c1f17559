import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { hostExecArgv, JOIN_PID1_CGROUPS } from '../../../lib/nodes/pod/host-exec-argv.js';
import { helperPodName, helperPodSpec } from '../../../lib/nodes/pod/helper-pod-spec.js';

const owner = { 'pxchaos.io/owner-pid': '42', 'pxchaos.io/owner-host': 'ci-1' };

describe('node access through a helper pod: its spec and its host command', () => {
  it('names helpers validly for any node name, one per node and owner', () => {
    const long = `Node_${'x'.repeat(300)}.Example.COM`;
    for (const node of ['worker-1', long, '---', 'ip-10-0-0-1.ec2.internal']) {
      const name = helperPodName(node, owner);
      expect(name, node).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(name.length, node).to.be.at.most(63);
    }
    expect(helperPodName('a', owner)).to.not.equal(helperPodName('b', owner));
    expect(helperPodName('a', owner)).to.not.equal(
      helperPodName('a', { ...owner, 'pxchaos.io/owner-pid': '43' }),
    );
  });

  it('pins a privileged, host-PID, host-network pod to its node, tolerating everything, without a token', () => {
    const pod = helperPodSpec({ node: 'worker-1', namespace: 'pxchaos-system', image: 'img:1', owner });
    expect(pod.spec?.nodeName).to.equal('worker-1');
    expect(pod.spec?.tolerations).to.deep.equal([{ operator: 'Exists' }]);
    expect([pod.spec?.hostPID, pod.spec?.hostNetwork, pod.spec?.automountServiceAccountToken]).to.deep.equal([
      true,
      true,
      false,
    ]);
    expect(pod.spec?.containers[0]?.securityContext?.privileged).to.equal(true);
    expect(pod.metadata?.annotations?.['pxchaos.io/node']).to.equal('worker-1');
  });

  it('passes the command as argv after a fixed script, never inside it', () => {
    const argv = ['printf', '%s', `'; rm -rf / #`];
    const wrapped = hostExecArgv(argv);
    expect(wrapped.slice(-3)).to.deep.equal(argv);
    expect(wrapped.slice(0, 3)).to.deep.equal(['nsenter', '--target', '1']);
    expect(wrapped.join(' ')).to.include(JOIN_PID1_CGROUPS);
  });

  it("lists PID 1's cgroup in every hierarchy mounted on this machine (the join's first step, run by sh)", () => {
    const list = JOIN_PID1_CGROUPS.slice(
      JOIN_PID1_CGROUPS.indexOf('$(') + 2,
      JOIN_PID1_CGROUPS.indexOf(') || exit 125'),
    );
    const r = spawnSync('sh', ['-c', list], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const files = r.stdout.trim().split('\n');
    const mounted = spawnSync('sh', ['-c', "awk '$0 ~ / - cgroup2? / {print $5}' /proc/self/mountinfo"], {
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n');
    expect(files.length, r.stdout).to.equal(mounted.length);
    for (const f of files) expect(f).to.match(/^\/.+\/cgroup\.procs$/);
  });
});
