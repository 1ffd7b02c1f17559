import type { NodeAccess } from './node-access.js';

/**
 * The node's primary IPv4 address, as its peers see it: the first global-scope address
 * (`hostname -i` can answer 127.0.1.1 on VMs, so `ip` is asked first).
 */
export async function nodeIpv4(node: NodeAccess, options: { signal?: AbortSignal } = {}): Promise<string> {
  const ip = await node.exec(['ip', '-4', '-o', 'addr', 'show', 'scope', 'global'], {
    timeoutMs: 10_000,
    check: false,
    ...(options.signal && { signal: options.signal }),
  });
  const fromIp = /\binet\s+(\d+\.\d+\.\d+\.\d+)\//.exec(ip.stdout)?.[1];
  if (ip.exitCode === 0 && fromIp) return fromIp;
  const hn = await node.exec(['hostname', '-i'], {
    timeoutMs: 10_000,
    ...(options.signal && { signal: options.signal }),
  });
  const fromHostname = hn.stdout
    .split(/\s+/)
    .find((w) => /^\d+\.\d+\.\d+\.\d+$/.test(w) && !w.startsWith('127.'));
  if (!fromHostname)
    throw new Error(
      `${node.name}: cannot find an IPv4 address (ip: '${ip.stdout.trim()}', hostname -i: '${hn.stdout.trim()}')`,
    );
  return fromHostname;
}
