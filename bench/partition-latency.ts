/**
 * Inject → in-force latency of a partition, median of 20: the rules applied through the docker-exec
 * NodeAccess, through a warm SSH NodeAccess, and by a bare `docker exec <node> <same argv>` as the
 * baseline. Targets: docker-exec path ≤ 1.2× bare; warm SSH ≤ 150 ms.
 * Run: npx tsx bench/partition-latency.ts   (needs Docker; builds the lab image on first use)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from '../lib/faults/fault.js';
import { FaultJournal } from '../lib/faults/journal.js';
import { partitionPlan } from '../lib/faults/partition-fault.js';
import { nodeIpv4 } from '../lib/nodes/node-ipv4.js';
import { SshNode } from '../lib/nodes/ssh-node.js';
import { enableSsh, startTestLab } from '../test/integration/harness-core/test-lab.js';

const RUNS = 20;

function bareDockerExec(container: string, argv: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('docker', ['exec', container, ...argv], (err) =>
      err ? reject(new Error(err.message)) : resolve(),
    ),
  );
}

const stats = (xs: number[]): { median: number; p90: number; min: number } => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p90: at(0.9), min: s[0] ?? NaN };
};

const lab = await startTestLab(['n1', 'n2']);
const dir = mkdtempSync(join(tmpdir(), 'pxchaos-bench-'));
const ssh = new SshNode(await enableSsh(lab, 'n1', dir));
try {
  const node = lab.node('n1');
  const container = lab.containers.get('n1')!;
  const plan = partitionPlan(node, { maxDurationMs: 120_000 });
  const { inject: injectArgv } = await plan.prepare((n) => nodeIpv4(n));
  const journal = new FaultJournal(join(dir, 'state'));
  await ssh.exec(['true']); // warm: connection and handshake done
  const timings: Record<string, number[]> = {
    'bare docker exec': [],
    'DockerExecNode.exec': [],
    'SshNode.exec (warm)': [],
    'inject() via docker (journal+timer+rules)': [],
  };
  const timed = async (label: string, fn: () => Promise<unknown>): Promise<void> => {
    const t0 = performance.now();
    await fn();
    timings[label]!.push(performance.now() - t0);
    await node.exec(plan.revert);
  };
  for (let i = 0; i < RUNS + 2; i++) {
    const warmup = i < 2;
    // Interleaved so that load drifts affect every path alike.
    await timed('bare docker exec', () => bareDockerExec(container, injectArgv));
    await timed('DockerExecNode.exec', () => node.exec(injectArgv));
    await timed('SshNode.exec (warm)', () => ssh.exec(injectArgv));
    let fault: Awaited<ReturnType<typeof inject>> | undefined;
    await timed('inject() via docker (journal+timer+rules)', async () => {
      fault = await inject(plan, { journal, healOnSignals: false });
    });
    await fault?.heal();
    if (warmup) for (const k of Object.keys(timings)) timings[k]!.pop();
  }
  const bare = stats(timings['bare docker exec']!).median;
  console.log(`partition inject → in force, ${RUNS} runs each (ms)\n`);
  console.log(
    `${'path'.padEnd(44)}${'median'.padStart(8)}${'p90'.padStart(8)}${'min'.padStart(8)}${'× bare'.padStart(8)}`,
  );
  for (const [label, xs] of Object.entries(timings)) {
    const s = stats(xs);
    console.log(
      `${label.padEnd(44)}${s.median.toFixed(1).padStart(8)}${s.p90.toFixed(1).padStart(8)}${s.min.toFixed(1).padStart(8)}${(s.median / bare).toFixed(2).padStart(8)}`,
    );
  }
  console.log(`\ntargets: DockerExecNode.exec ≤ 1.2× bare; warm SSH ≤ 150 ms`);
} finally {
  await ssh.close();
  await lab.remove();
  rmSync(dir, { recursive: true, force: true });
}
