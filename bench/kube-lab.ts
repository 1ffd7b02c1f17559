/**
 * Kube lab figures: cold `up` (binaries and images cached, no cluster), warm `up` (reuse), and how
 * long Kubernetes takes to mark a cut-off worker NotReady at the default node-monitor grace period
 * and at a shortened one. Goals (not assertions): warm up ≤ 10 s, cold up ≤ 60 s; NotReady
 * detection explained by the timers: a cut lands up to one kubelet status interval after the last
 * heartbeat and the controller notices within one monitor period, so NotReady comes
 * grace − status interval … grace + monitor period after the cut.
 * Run: npx tsx bench/kube-lab.ts [--name NAME] [--short-grace 16s] [--cuts 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inject } from '../lib/faults/fault.js';
import { FaultJournal } from '../lib/faults/journal.js';
import { partitionPlan } from '../lib/faults/partition-fault.js';
import { kubeLabDown } from '../lib/kube-lab/kube-lab-down.js';
import { kubeNodes } from '../lib/kube-lab/kube-lab-kubectl.js';
import { kubeLabUp, type KubeLabUp } from '../lib/kube-lab/kube-lab-up.js';
import { describeTimings, type KubeTimings } from '../lib/kube-lab/kubeadm-config.js';
import { DockerExecNode } from '../lib/nodes/docker-exec-node.js';
import { STORAGE_DRIVER_PROFILES } from '../lib/sut/postgres-on-k8s/storage-drivers.js';
import { parseDuration } from '../lib/time/duration.js';
import { pollUntil } from '../lib/time/poll-until.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'pxchaos-bench' },
    'short-grace': { type: 'string', default: '16s' },
    cuts: { type: 'string', default: '2' },
  },
});
const name = values.name;
const cuts = Number(values.cuts);
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const dir = mkdtempSync(join(tmpdir(), 'pxchaos-bench-kube-'));
const journal = new FaultJournal(dir);

/** Cuts the first worker off, returns cut → NotReady (1 s polls) and heal → Ready. */
async function detection(up: KubeLabUp): Promise<{ notReadyMs: number; readyAgainMs: number }> {
  const [victim, peer] = up.layout.workers;
  if (!victim || !peer) throw new Error('need two workers');
  const cp = up.layout.controlPlane.name;
  const node = new DockerExecNode(victim.name, victim.name);
  const plan = partitionPlan(node, {
    maxDurationMs: 300_000,
    verify: {
      from: new DockerExecNode(peer.name, peer.name),
      port: STORAGE_DRIVER_PROFILES.gluster.partitionProbePort,
    },
  });
  const fault = await inject(plan, { journal });
  const cutAt = performance.now();
  let notReadyMs: number;
  try {
    await pollUntil(
      async () =>
        (await kubeNodes(cp)).find((n) => n.name === victim.name)?.ready === false ? true : 'Ready',
      240_000,
    );
    notReadyMs = performance.now() - cutAt;
  } finally {
    await fault.heal();
  }
  const healedAt = performance.now();
  await pollUntil(
    async () => ((await kubeNodes(cp)).find((n) => n.name === victim.name)?.ready ? true : 'NotReady'),
    240_000,
  );
  return { notReadyMs, readyAgainMs: performance.now() - healedAt };
}

async function detectionRow(up: KubeLabUp, timings: KubeTimings): Promise<void> {
  const results = [];
  for (let i = 0; i < cuts; i++) results.push(await detection(up));
  const lo = timings.nodeMonitorGracePeriodMs - timings.nodeStatusUpdateFrequencyMs;
  const hi = timings.nodeMonitorGracePeriodMs + timings.nodeMonitorPeriodMs;
  console.log(
    `NotReady after a cut (${describeTimings(timings)}): ${results.map((r) => s(r.notReadyMs)).join(', ')}` +
      ` — the timers allow ${s(lo)}…${s(hi)}; Ready again after the heal: ${results.map((r) => s(r.readyAgainMs)).join(', ')}`,
  );
}

try {
  await kubeLabDown(name);
  const cold = await kubeLabUp({ name, workers: 3 });
  console.log(`cold up (binaries and images cached, no cluster): ${s(cold.durationMs)} (goal ≤ 60 s)`);
  const warm = await kubeLabUp({ name, workers: 3 });
  console.log(`warm up (reuse): ${s(warm.durationMs)} (goal ≤ 10 s)`);
  await detectionRow(warm, warm.timings);
  const short = parseDuration(values['short-grace'], '--short-grace');
  const shortened = await kubeLabUp({ name, workers: 3, timings: { nodeMonitorGracePeriodMs: short } });
  await detectionRow(shortened, shortened.timings);
} finally {
  await kubeLabDown(name);
  rmSync(dir, { recursive: true, force: true });
}
