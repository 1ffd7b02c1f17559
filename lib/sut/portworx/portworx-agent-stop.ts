import type { AgentCommands } from '../sut.js';
import { PXCTL } from './pxctl-path.js';

/**
 * How the agent faults take PX down on a node (config `portworx.agentStop`, portworx.md "How to
 * stop/kill PX on a node"):
 * - `label+systemctl` (the default): the node label `px/service=stop`, then `systemctl stop
 *   portworx`; `px/service=start`, then `systemctl start portworx` to bring it back. What torpedo's
 *   StopDriver/StartDriver do (portworx/torpedo drivers/volume/portworx/portworx.go @ a89fe08b:
 *   `schedOps.StopPxOnNode` sets the label, then `Systemctl(... "stop")`), and Stork's own tests
 *   through their vendored torpedo: the label tells PX's monitor in the PX pod that the stop is
 *   wanted, so it does not start PX again;
 * - `systemctl`: `systemctl stop|start portworx` alone, clean, but PX's monitor may start it again;
 * - `label`: the label alone (PX's own control: the monitor runs the systemctl; after stop it must
 *   be set to start);
 * - `pkill`: `pkill -9 -x px-storage`, a crash PX recovers from by itself (never `pkill px`: its
 *   pattern also hits px-oci-mon, pxexec…); the revert waits for PX to come back and fails after
 *   120 s. It cannot hold PX down, so the past-grace fault stops it with systemctl (`holdDown`; no
 *   label, so that this method needs no kubectl on the nodes).
 * Every method but the crash keeps PX down until the heal, and the run checks that it stays down for
 * the whole hold (`staysDown`: the fault's "took hold" check fails if PX came back early).
 * The label is set by a node command with the kubelet's own credentials (`kubectl --kubeconfig
 * /etc/kubernetes/kubelet.conf`), so it is journaled, reverted by the node-side auto-revert timer
 * and by `pxchaos heal` like every node command: a timer on the node cannot reach the harness's
 * kubeconfig, and an API-side revert would die with the harness. A node may change its own Node's
 * labels (the Node authorizer; NodeRestriction guards only the kubernetes.io / k8s.io prefixes, not
 * `px/`). A node without kubectl or that kubeconfig refuses the fault in one line, naming
 * `systemctl` as the method that needs neither.
 */
export const PX_AGENT_STOP_METHODS = ['label+systemctl', 'systemctl', 'label', 'pkill'] as const;
export type PxAgentStopMethod = (typeof PX_AGENT_STOP_METHODS)[number];

/** Exits 0 when PX on this node reports STATUS_OK. */
const PX_OK = `${PXCTL} -j status 2>/dev/null | grep -q '"status": *"STATUS_OK"'`;
export const KUBELET_KUBECONFIG = '/etc/kubernetes/kubelet.conf';
/** How long the pkill method's revert waits for PX to restart itself. */
export const PX_SELF_RESTART_WAIT_S = 120;

const SYSTEMCTL = {
  stop: ['systemctl', 'stop', 'portworx'],
  start: ['systemctl', 'start', 'portworx'],
} as const;

/**
 * `kubectl label node <node> px/service=<value>` with the kubelet's credentials, then (`systemctl`)
 * `systemctl <value> portworx`; `$1` node, `$2` kubeconfig.
 */
export function pxServiceLabelArgv(node: string, value: 'stop' | 'start', systemctl = false): string[] {
  const method = systemctl ? 'label+systemctl' : 'label';
  const script = [
    `command -v kubectl >/dev/null 2>&1 || { echo "no kubectl on this node: the px/service label (portworx.agentStop: ${method}) is set with the kubelet's credentials; use systemctl" >&2; exit 1; }`,
    `[ -r "$2" ] || { echo "no kubelet kubeconfig $2 on this node: the px/service label (portworx.agentStop: ${method}) needs it; use systemctl" >&2; exit 1; }`,
    `kubectl --kubeconfig "$2" label node "$1" px/service=${value} --overwrite`,
    ...(systemctl ? [`systemctl ${value} portworx`] : []),
  ].join('\n');
  return ['sh', '-c', script, 'pxchaos-px-service', node, KUBELET_KUBECONFIG];
}

/** The agent commands of `method` on `node` (a Kubernetes node name, or a plan's placeholder). */
export function portworxAgentCommands(method: PxAgentStopMethod, node: string): AgentCommands {
  const status = ['sh', '-c', PX_OK];
  switch (method) {
    case 'label+systemctl':
    case 'label': {
      const both = method === 'label+systemctl';
      const stop = pxServiceLabelArgv(node, 'stop', both);
      return { kill: stop, stop, start: pxServiceLabelArgv(node, 'start', both), status, staysDown: true };
    }
    case 'systemctl':
      // For PX a stop is an outage (the px module queues I/O), unlike Patroni where a clean stop is
      // a switchover; Stork's own short-outage test stops it too.
      return { kill: SYSTEMCTL.stop, stop: SYSTEMCTL.stop, start: SYSTEMCTL.start, status, staysDown: true };
    case 'pkill':
      return {
        kill: ['pkill', '-9', '-x', 'px-storage'],
        stop: SYSTEMCTL.stop,
        // Nothing to start: PX restarts px-storage itself. The revert waits for it, so a heal
        // reports PX not back rather than passing at once.
        start: [
          'sh',
          '-c',
          `i=0; until ${PX_OK}; do i=$((i+2)); [ "$i" -ge "$1" ] && { echo "PX did not come back by itself within $1 s after pkill -9 px-storage" >&2; exit 1; }; sleep 2; done`,
          'pxchaos-px-wait',
          String(PX_SELF_RESTART_WAIT_S),
        ],
        status,
        holdDown: { kill: SYSTEMCTL.stop, start: SYSTEMCTL.start },
      };
  }
}
