import type { V1DaemonSet } from '@kubernetes/client-node';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../postgres-on-k8s/run-namespace.js';
import {
  loopDeviceSetupScript,
  loopDeviceTeardownArgv,
  pxDeviceRecord,
  pxDmName,
} from './loop-device-script.js';
import { checkLoopDeviceSettings, type LoopDeviceSettings } from './loop-device-settings.js';

export const LOOP_DEVICE_DAEMONSET = 'pxchaos-px-loop-devices';
/** Where the init container sees the node's root filesystem, and chroots into. */
const HOST_ROOT = '/host';
/** How a plan names a node's name in its paths: each node has its own devices. */
export const NODE_PLACEHOLDER = '<node>';
/** Where a plan runs a step that runs on every node. */
export const EVERY_NODE = '<every node>';

/** Everything about one cluster's loop-device drives a run (or a plan) needs. */
export interface LoopDeviceDrives {
  readonly daemonSet: V1DaemonSet;
  /** What Portworx should be given as its drive on each node (`<node>`: the node's name). */
  readonly pxDevice: string;
  /** Where each node wrote that device path (the loop number is only known there). */
  readonly pxDeviceRecord: string;
  readonly teardown: {
    /** Deleted first: a restarted pod would attach the device again. */
    readonly daemonSet: { readonly namespace: string; readonly name: string };
    /** Then run on every node, as root, after Portworx is uninstalled. */
    readonly nodeArgv: readonly string[];
  };
}

/**
 * The workshop's loop-device DaemonSet (portworx.md; fixture
 * daemonset-portworx-workshop-loop4-…yaml, `setup-loop4-for-portworx`): a privileged init container
 * chroots into the node and runs the node's own truncate, losetup and dmsetup (they match the
 * node's kernel, and the init image needs nothing but chroot and sh); a pause container then
 * keeps the pod, so the step runs once per node and again only when the pod is recreated.
 */
export function loopDeviceDaemonSet(settings: LoopDeviceSettings): V1DaemonSet {
  checkLoopDeviceSettings(settings);
  const labels = { 'app.kubernetes.io/name': LOOP_DEVICE_DAEMONSET, [MANAGED_BY_LABEL]: MANAGED_BY };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: LOOP_DEVICE_DAEMONSET, namespace: settings.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // Only where Portworx may run (the workshop's PX spec excludes px/enabled=false nodes).
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'px/enabled', operator: 'NotIn', values: ['false'] }] },
                ],
              },
            },
          },
          // As the workshop's: tainted nodes (a control plane that also stores) get a drive too.
          tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
          volumes: [{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }],
          initContainers: [
            {
              name: 'attach-loop-device',
              image: settings.initImage,
              command: ['chroot', HOST_ROOT, '/bin/sh', '-c', loopDeviceSetupScript(settings)],
              env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
              // losetup, dmsetup and mknod on the node's devices.
              securityContext: { privileged: true },
              volumeMounts: [{ name: 'host-root', mountPath: HOST_ROOT }],
            },
          ],
          containers: [
            {
              name: 'pause',
              image: settings.image,
              resources: { requests: { cpu: '1m', memory: '8Mi' }, limits: { memory: '32Mi' } },
            },
          ],
          terminationGracePeriodSeconds: 1,
        },
      },
    },
  };
}

/** The DaemonSet, the device PX should use, and how to undo it all. */
export function loopDeviceDrives(settings: LoopDeviceSettings): LoopDeviceDrives {
  const daemonSet = loopDeviceDaemonSet(settings);
  return {
    daemonSet,
    pxDevice: settings.deviceMapper
      ? `/dev/mapper/${pxDmName(NODE_PLACEHOLDER)}`
      : '<the loop device losetup -f chose on the node>',
    pxDeviceRecord: pxDeviceRecord(settings.directory, NODE_PLACEHOLDER),
    teardown: {
      daemonSet: { namespace: settings.namespace, name: LOOP_DEVICE_DAEMONSET },
      nodeArgv: loopDeviceTeardownArgv(settings),
    },
  };
}
