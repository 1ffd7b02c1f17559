import { CommandFailedError } from '../../lib/nodes/exec-errors.js';
import type { ExecOptions, ExecResult } from '../../lib/nodes/exec-result.js';
import type { NodeAccess, NodeAddress } from '../../lib/nodes/node-access.js';
import { faultCommand } from './fault-command.js';

/** A TCP probe one scripted node sent (tcpProbeArgv), as the network saw it. */
export interface SentProbe {
  readonly from: string;
  readonly ip: string;
  readonly port: number;
}

/**
 * Nodes on a pretend network, for unit tests of the fault lifecycle without containers: a node
 * answers `ip -4 -o addr` with its address, takes iptables partition rules (pxchaos-partition) and
 * their revert (pxchaos-unpartition), and a TCP probe gets no answer (exit 124) to or from a cut
 * node, else connects (exit 0). Anything else exits 0. Every command is recorded, in order.
 */
export class ScriptedNetwork {
  readonly probes: SentProbe[] = [];
  /** Every command run on any node, as "node: argv[0] …". */
  readonly commands: string[] = [];
  private readonly cut = new Set<string>();

  node(name: string, ip: string): ScriptedNode {
    return new ScriptedNode(name, ip, this);
  }

  /** What `node` runs: the result its command would have on the pretend network. */
  answer(node: ScriptedNode, sent: readonly string[]): Pick<ExecResult, 'stdout' | 'stderr' | 'exitCode'> {
    this.commands.push(`${node.name}: ${sent.join(' ')}`);
    const argv = faultCommand(sent);
    const ok = { stdout: '', stderr: '', exitCode: 0 };
    if (argv[0] === 'ip')
      return { ...ok, stdout: `2: eth0    inet ${node.ip}/16 brd 10.0.255.255 scope global eth0\n` };
    if (argv[0] === 'timeout' && argv.includes('pxchaos-probe')) {
      const ip = argv.at(-2) ?? '';
      this.probes.push({ from: node.name, ip, port: Number(argv.at(-1)) });
      const reachable = !this.cut.has(node.ip) && !this.cut.has(ip);
      return reachable ? ok : { ...ok, exitCode: 124 };
    }
    if (argv[3] === 'pxchaos-partition') this.cut.add(node.ip);
    if (argv[3] === 'pxchaos-unpartition') this.cut.delete(node.ip);
    return ok;
  }

  /** The ports every probe sent so far went to. */
  probedPorts(): number[] {
    return [...new Set(this.probes.map((p) => p.port))];
  }
}

export class ScriptedNode implements NodeAccess {
  readonly address: NodeAddress;

  constructor(
    readonly name: string,
    readonly ip: string,
    private readonly network: ScriptedNetwork,
  ) {
    this.address = { kind: 'docker', container: name };
  }

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const result: ExecResult = { node: this.name, argv, durationMs: 1, ...this.network.answer(this, argv) };
    if (options.check !== false && result.exitCode !== 0)
      return Promise.reject(new CommandFailedError(result));
    return Promise.resolve(result);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A node that must not be asked anything: every command it is sent is recorded and refused. */
export class UntouchableNode implements NodeAccess {
  readonly address: NodeAddress;
  readonly asked: (readonly string[])[] = [];

  constructor(readonly name: string) {
    this.address = { kind: 'docker', container: name };
  }

  exec(argv: readonly string[]): Promise<ExecResult> {
    this.asked.push(argv);
    return Promise.reject(new Error(`${this.name} was sent '${argv.join(' ')}' while nothing may run`));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
