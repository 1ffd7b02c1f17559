import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPlan } from '../../../lib/plan/plan-document.js';
import { VM_TRAITS } from '../../../lib/targets/vm-target.js';
import { PRIMARY_NODE } from '../../../lib/plan/planned-faults.js';
import { agentCrashCommands } from '../../../lib/faults/sut-fault-plans.js';
import {
  portworxAgentCommands,
  pxServiceLabelArgv,
  PX_AGENT_STOP_METHODS,
} from '../../../lib/sut/portworx/portworx-agent-stop.js';
import { kubeEventTransitions } from '../../../lib/sut/postgres-on-k8s/platform-transitions.js';
import type { CoreV1Event } from '@kubernetes/client-node';
import { pxFixture } from '../../support/px-fixtures.js';
import { configSchema } from '../../../lib/pxchaos-config.js';

describe('Portworx agent stop methods', () => {
  it('pkill: exactly px-storage by name, never a pattern like `pkill px`', () => {
    const a = portworxAgentCommands('pkill', 'w');
    expect(a.kill).to.deep.equal(['pkill', '-9', '-x', 'px-storage']);
  });

  it('pkill: within grace the crash and a wait; past grace systemctl holds PX down', () => {
    const agent = portworxAgentCommands('pkill', 'worker-1');
    const within = agentCrashCommands('agent-restart-within-grace', agent);
    expect(within.inject).to.deep.equal(['pkill', '-9', '-x', 'px-storage']);
    expect(within.revert.join(' ')).to.match(/until .*STATUS_OK/);
    const past = agentCrashCommands('agent-down-past-grace', agent);
    expect(past.inject).to.deep.equal(['systemctl', 'stop', 'portworx']);
    expect(past.revert).to.deep.equal(['systemctl', 'start', 'portworx']);
  });

  it('pkill: the wait gives up after its limit, naming it (run with a pxctl that never says STATUS_OK)', () => {
    const a = portworxAgentCommands('pkill', 'w');
    const script = a.start[2]!.replace('/opt/pwx/bin/pxctl', 'false');
    let err: { status: number; stderr: Buffer } | undefined;
    try {
      execFileSync('sh', ['-c', script, 'pxchaos-px-wait', '2'], { stdio: 'pipe', timeout: 10_000 });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.status).to.equal(1);
    expect(err!.stderr.toString()).to.match(/PX did not come back by itself within 2 s/);
  });

  it('label: the node name is an argument, never spliced into the script', () => {
    const evil = `n1"; rm -rf / #$(id)`;
    const argv = pxServiceLabelArgv(evil, 'stop');
    expect(argv[2]).to.not.include(evil);
    expect(argv[4]).to.equal(evil);
  });

  it('label: runs kubectl label with the kubelet kubeconfig, and refuses in one line without kubectl', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pxchaos-label-'));
    const log = path.join(dir, 'log');
    const kubectl = path.join(dir, 'kubectl');
    writeFileSync(kubectl, `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\n`);
    chmodSync(kubectl, 0o755);
    const kubeconfig = path.join(dir, 'kubelet.conf');
    writeFileSync(kubeconfig, '');
    const [, , script, name] = pxServiceLabelArgv('node a', 'start');
    execFileSync('sh', ['-c', script!, name!, 'node a', kubeconfig], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
    });
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).to.deep.equal([
      '--kubeconfig',
      kubeconfig,
      'label',
      'node',
      'node a',
      'px/service=start',
      '--overwrite',
    ]);
    let stderr = '';
    try {
      execFileSync('/bin/sh', ['-c', script!, name!, 'node a', kubeconfig], {
        env: { PATH: '/nonexistent' },
        stdio: 'pipe',
      });
    } catch (e) {
      stderr = (e as { stderr: Buffer }).stderr.toString();
    }
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.match(/no kubectl on this node/);
  });

  it('default: label px/service=stop then systemctl stop; start: the label, then systemctl start', () => {
    expect(configSchema.parse({}).portworx.agentStop).to.equal('label+systemctl');
    const dir = mkdtempSync(path.join(tmpdir(), 'pxchaos-both-'));
    const log = path.join(dir, 'log');
    for (const tool of ['kubectl', 'systemctl']) {
      writeFileSync(path.join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> '${log}'\n`);
      chmodSync(path.join(dir, tool), 0o755);
    }
    const kubeconfig = path.join(dir, 'kubelet.conf');
    writeFileSync(kubeconfig, '');
    const a = portworxAgentCommands('label+systemctl', 'worker-1');
    expect(a.kill).to.deep.equal(a.stop);
    expect(a.staysDown).to.equal(true);
    for (const argv of [a.stop, a.start]) {
      const [, , script, name, node] = argv;
      execFileSync('sh', ['-c', script!, name!, node!, kubeconfig], {
        env: { PATH: `${dir}:/usr/bin:/bin` },
      });
    }
    expect(readFileSync(log, 'utf8').trim().split('\n')).to.deep.equal([
      `kubectl --kubeconfig ${kubeconfig} label node worker-1 px/service=stop --overwrite`,
      'systemctl stop portworx',
      `kubectl --kubeconfig ${kubeconfig} label node worker-1 px/service=start --overwrite`,
      'systemctl start portworx',
    ]);
  });

  it('default without kubectl on the node: refused in one line naming systemctl, PX not stopped', () => {
    const [, , script, name, node] = portworxAgentCommands('label+systemctl', 'w').stop;
    let stderr = '';
    try {
      execFileSync('/bin/sh', ['-c', script!, name!, node!, '/nonexistent'], {
        env: { PATH: '/nonexistent' },
        stdio: 'pipe',
      });
    } catch (e) {
      stderr = (e as { stderr: Buffer }).stderr.toString();
    }
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.match(
      /no kubectl on this node: .*portworx\.agentStop: label\+systemctl.*; use systemctl/,
    );
  });

  for (const method of PX_AGENT_STOP_METHODS) {
    it(`pxchaos plan --sut portworx shows the ${method} commands`, async () => {
      const config = configSchema.parse({
        kube: { sut: 'portworx' },
        portworx: { agentStop: method },
      });
      const plan = await buildPlan({
        config,
        driver: 'portworx',
        target: 'vm',
        traits: VM_TRAITS,
        runId: 'run1abcd',
        password: 'x',
      });
      const a = portworxAgentCommands(method, PRIMARY_NODE);
      const within = plan.faults.find((f) => f.scenario === 'agent-restart-within-grace')!;
      const past = plan.faults.find((f) => f.scenario === 'agent-down-past-grace')!;
      expect(within.steps.find((s) => s.purpose === 'inject')!.argv).to.deep.equal(a.kill);
      expect(past.steps.find((s) => s.purpose === 'inject')!.argv).to.deep.equal(a.holdDown?.kill ?? a.kill);
      // Kept down: the status is verified through the hold, not only once.
      const held = (f: typeof past) => f.steps.filter((s) => s.purpose.startsWith('verify held (every 5 s'));
      expect(held(past).map((s) => s.argv)).to.deep.equal([a.status]);
      expect(held(within)).to.have.length(method === 'pkill' ? 0 : 1);
    });
  }
});

describe("Stork's events on the event watch", () => {
  /** The message as Stork logs it when deleting pods (recorded stork log, SOURCES.md "I. Stork event"). */
  const recorded = /msg="(Deleting Pod from Node (\S+) due to volume driver status: [^"]+)"/.exec(
    pxFixture('stork-log-deleting-pod-px-offline-stork-pr1834-2024.txt'),
  )!;
  const storkEvent = (reason: string, message: string): CoreV1Event => ({
    metadata: { name: 'e1', namespace: 'ns', uid: 'u1' },
    involvedObject: { kind: 'Pod', name: 'pg-0', namespace: 'ns' },
    reason,
    message,
    type: 'Warning',
    source: { component: 'stork' },
    count: 1,
  });

  it('StorageDriverOffline: the node named in its message', () => {
    const [e] = kubeEventTransitions(undefined, {
      type: 'ADDED',
      fromRelist: false,
      object: storkEvent('StorageDriverOffline', recorded[1]!),
    });
    expect(e!.event).to.equal('k8s:StorageDriverOffline');
    expect(e!.node).to.equal(recorded[2]);
    expect(e!.detail).to.include('due to volume driver status: Offline (STATUS_OFFLINE)');
  });

  it('NodeLost: the node the pod ran on, as the pod watch knew it', () => {
    const [e] = kubeEventTransitions(
      undefined,
      {
        type: 'ADDED',
        fromRelist: false,
        object: storkEvent('NodeLost', "Force deleting pod as it's in unknown state."),
      },
      (pod) => (pod === 'pg-0' ? 'worker-2' : undefined),
    );
    expect(e).to.deep.include({ event: 'k8s:NodeLost', node: 'worker-2' });
  });
});
