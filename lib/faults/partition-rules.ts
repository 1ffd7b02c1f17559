import { UsageError } from '../errors.js';

/** Every pxchaos chain starts with this; findLeftovers looks for it. */
export const CHAIN_PREFIX = 'PXCHAOS-';
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** A peer given as an address must be an IPv4 address (or network): it goes into the rules as is. */
export function assertPeerIpv4(ip: string): void {
  if (!IPV4.test(ip)) throw new UsageError(`peer '${ip}' is not an IPv4 address`);
}

export interface PartitionChains {
  readonly input: string;
  readonly output: string;
}

export function partitionChains(chainId: string): PartitionChains {
  if (!/^[A-Za-z0-9]{1,12}$/.test(chainId))
    throw new Error(`chain id '${chainId}' must be 1-12 letters/digits`);
  return { input: `${CHAIN_PREFIX}${chainId}-IN`, output: `${CHAIN_PREFIX}${chainId}-OUT` };
}

/** What a partition keeps open by default: SSH, the harness's way in. */
export const DEFAULT_KEPT_TCP_PORTS: readonly number[] = [22];

/**
 * The iptables-restore input of a partition. Dedicated chains, jumped to from INPUT and OUTPUT at
 * position 1 so no earlier ACCEPT (e.g. ESTABLISHED) lets traffic through; they keep the harness's
 * way in (SSH, port 22, or a helper pod's kubelet port: in, and its replies out) and loopback, then
 * DROP everything or only the given peers. Applied with `iptables-restore --noflush` as one
 * transaction: the cut is atomic in both directions.
 */
export function partitionRules(
  chains: PartitionChains,
  peerIps: readonly string[] = [],
  keptTcpPorts: readonly number[] = DEFAULT_KEPT_TCP_PORTS,
): string[] {
  for (const ip of peerIps) assertPeerIpv4(ip);
  const { input, output } = chains;
  const drops =
    peerIps.length === 0
      ? [`-A ${input} -j DROP`, `-A ${output} -j DROP`]
      : peerIps.flatMap((ip) => [`-A ${input} -s ${ip} -j DROP`, `-A ${output} -d ${ip} -j DROP`]);
  return [
    '*filter',
    `:${input} - [0:0]`,
    `:${output} - [0:0]`,
    `-A ${input} -i lo -j ACCEPT`,
    ...keptTcpPorts.map((port) => `-A ${input} -p tcp --dport ${port} -j ACCEPT`),
    `-A ${output} -o lo -j ACCEPT`,
    ...keptTcpPorts.map((port) => `-A ${output} -p tcp --sport ${port} -j ACCEPT`),
    ...drops,
    `-I INPUT 1 -j ${input}`,
    `-I OUTPUT 1 -j ${output}`,
    'COMMIT',
  ];
}

export function partitionInjectArgv(
  chains: PartitionChains,
  peerIps: readonly string[] = [],
  keptTcpPorts: readonly number[] = DEFAULT_KEPT_TCP_PORTS,
): string[] {
  return [
    'sh',
    '-c',
    `printf '%s\\n' "$@" | iptables-restore --noflush`,
    'pxchaos-partition',
    ...partitionRules(chains, peerIps, keptTcpPorts),
  ];
}

/**
 * Idempotent revert: deletes every jump to the chains (even if inserted twice), flushes and deletes
 * them, ignoring "does not exist"; exits non-zero only if a chain is still there afterwards.
 */
export function partitionRevertArgv(chains: PartitionChains): string[] {
  const script = [
    `command -v iptables >/dev/null || { echo 'iptables: not found' >&2; exit 127; }`,
    `while iptables -w 5 -D INPUT -j "$1" 2>/dev/null; do :; done`,
    `while iptables -w 5 -D OUTPUT -j "$2" 2>/dev/null; do :; done`,
    `for c in "$1" "$2"; do iptables -w 5 -F "$c" 2>/dev/null; iptables -w 5 -X "$c" 2>/dev/null; done`,
    `for c in "$1" "$2"; do if iptables -w 5 -S "$c" >/dev/null 2>&1; then echo "chain $c still present" >&2; exit 1; fi; done`,
    'exit 0',
  ].join('\n');
  return ['sh', '-c', script, 'pxchaos-unpartition', chains.input, chains.output];
}
