import type { NodeAccess } from '../nodes/node-access.js';

/**
 * What a TCP connect from one node to ip:port got: `answered` (SYN-ACK, or RST from a closed port:
 * either way the peer is reachable), `no-answer` (the SYN vanished: a partition), `blocked-locally`
 * (the sender's own OUTPUT rules dropped it, which Linux reports as EPERM at once), or `error`.
 */
export type TcpReachability = 'answered' | 'no-answer' | 'blocked-locally' | 'error';

export interface TcpProbeResult {
  readonly outcome: TcpReachability;
  readonly detail: string;
}

/** argv of the probe: bash's /dev/tcp under coreutils timeout (exit 124 = no answer in time). */
export function tcpProbeArgv(ip: string, port: number, waitMs: number): string[] {
  const seconds = Math.max(0.2, waitMs / 1000);
  return [
    'timeout',
    `${seconds}s`,
    'bash',
    '-c',
    'exec 3<>"/dev/tcp/$1/$2"',
    'pxchaos-probe',
    ip,
    String(port),
  ];
}

export function classifyTcpProbe(exitCode: number, stderr: string): TcpReachability {
  if (exitCode === 0 || /Connection refused/i.test(stderr)) return 'answered';
  if (exitCode === 124) return 'no-answer';
  if (/Operation not permitted/i.test(stderr)) return 'blocked-locally';
  return 'error';
}

export async function probeTcp(
  from: NodeAccess,
  ip: string,
  port: number,
  waitMs: number,
  signal?: AbortSignal,
): Promise<TcpProbeResult> {
  const r = await from.exec(tcpProbeArgv(ip, port, waitMs), {
    timeoutMs: waitMs + 10_000,
    check: false,
    ...(signal && { signal }),
  });
  const outcome = classifyTcpProbe(r.exitCode, r.stderr);
  return { outcome, detail: tcpProbeDetail(from.name, ip, port, outcome, r.stderr) };
}

/** One line of what a probe got: "n2 → 172.18.0.3:5432: no-answer", with the last line of its stderr. */
export function tcpProbeDetail(
  from: string,
  ip: string,
  port: number,
  outcome: TcpReachability,
  stderr: string,
): string {
  const last = stderr.trim().split('\n').at(-1);
  return `${from} → ${ip}:${port}: ${outcome}${last ? ` (${last})` : ''}`;
}
