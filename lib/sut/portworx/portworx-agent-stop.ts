import type { AgentCommands } from '../sut.js';
import { PXCTL } from './pxctl-path.js';

/**
 * How the agent faults take PX down on a node (config `portworx.agentStop`, portworx.md "How to
 * stop/kill PX on a node"):
 * - `systemctl`: `systemctl stop|start portworx`, clean, stays down until started (the default);
 * - `label`: the node label `px/service=stop`, then `px/service=start` (PX's own control; after
 *   stop it must be set to start). Set by a node command with the kubelet's own credentials
 *   (`kubectl --kubeconfig /etc/kubernetes/kubelet.conf`), so it is journaled, reverted by the
 *   node-side auto-revert timer and by `pxchaos heal` like every node command: a timer on the node
 *   cannot reach the harness's kubeconfig, and an API-side revert would die with the harness. A node
 *   may change its own Node's labels (the Node authorizer; NodeRestriction guards only the
 *   kubernetes.io / k8s.io prefixes, not `px/`). A node without kubectl or that kubeconfig refuses
 *   the fault in one line;
 * - `pkill`: `pkill -9 -x px-storage`, a crash PX recovers from by itself (never `pkill px`: its
 *   pattern also hits px-oci-mon, pxexec…); the revert waits for PX to come back and fails after
 *   120 s. It cannot hold PX down, so the past-grace fault stops it with systemctl (`holdDown`).
 */
export const PX_AGENT_STOP_METHODS = ['systemctl', 'label', 'pkill'] as const;
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

/** `kubectl label node <node> px/service=<value>` with the kubelet's credentials; `$1` node, `$2` kubeconfig. */
export function pxServiceLabelArgv(node: string, value: 'stop' | 'start'): string[] {
  const script = [
    `command -v kubectl >/dev/null 2>&1 || { echo "no kubectl on this node: the px/service label method (portworx.agentStop: label) sets the label with the kubelet's credentials; use systemctl" >&2; exit 1; }`,
    `[ -r "$2" ] || { echo "no kubelet kubeconfig $2 on this node: the px/service label method needs it; use systemctl" >&2; exit 1; }`,
    `kubectl --kubeconfig "$2" label node "$1" px/service=${value} --overwrite`,
  ].join('\n');
  return ['sh', '-c', script, 'pxchaos-px-service', node, KUBELET_KUBECONFIG];
}

/** The agent commands of `method` on `node` (a Kubernetes node name, or a plan's placeholder). */
export function portworxAgentCommands(method: PxAgentStopMethod, node: string): AgentCommands {
  const status = ['sh', '-c', PX_OK];
  switch (method) {
    case 'systemctl':
      // For PX a stop is an outage (the px module queues I/O), unlike Patroni where a clean stop is
      // a switchover; Stork's own short-outage test stops it too.
      return { kill: SYSTEMCTL.stop, stop: SYSTEMCTL.stop, start: SYSTEMCTL.start, status };
    case 'label':
      return {
        kill: pxServiceLabelArgv(node, 'stop'),
        stop: pxServiceLabelArgv(node, 'stop'),
        start: pxServiceLabelArgv(node, 'start'),
        status,
      };
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
