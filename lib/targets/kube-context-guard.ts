import { parse } from 'yaml';
import { docker } from '../docker/docker-cli.js';
import { UsageError } from '../errors.js';
import { KIND_ROLE_LABEL, KUBE_LAB_LABEL } from '../kube-lab/kube-lab-layout.js';

/** The cluster a kube context points at, as read from the kubeconfig (no network). */
export interface KubeContextRef {
  readonly context: string;
  /** The API server's URL, e.g. https://10.229.90.10:6443. */
  readonly server: string;
}

/** Why a context may be used: named in the config, or it is a kube lab of this machine. */
export type ContextPermit = { readonly by: 'config' } | { readonly by: 'kube-lab'; readonly kubeLab: string };

/** The addresses of kube lab `name`'s control plane containers (empty when there is no such lab). */
export type KubeLabControlPlaneIps = (name: string, signal?: AbortSignal) => Promise<readonly string[]>;

/** The YAML line that allows `context` in a config file that has no `kube` section yet. */
export function allowLine(context: string): string {
  // Plain when safe inside a YAML flow list; otherwise double-quoted (JSON is valid YAML).
  const plain = /^[A-Za-z0-9][A-Za-z0-9._/@-]*$/.test(context) && typeof parse(context) === 'string';
  const scalar = plain ? context : JSON.stringify(context);
  return `kube: { allowedContexts: [${scalar}] }`;
}

/** The kube lab a context name would belong to (`kind-<name>`), or undefined. */
export function kubeLabOfContext(context: string): string | undefined {
  return /^kind-([a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?)$/.exec(context)?.[1];
}

function serverHost(server: string): string | undefined {
  try {
    return new URL(server).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/** Control plane containers of a kube lab, found by its Docker labels; none when Docker is not there. */
export const dockerKubeLabControlPlaneIps: KubeLabControlPlaneIps = async (name, signal) => {
  const run = await docker(
    [
      'ps',
      '--filter',
      `label=${KUBE_LAB_LABEL}=${name}`,
      '--filter',
      `label=${KIND_ROLE_LABEL}=control-plane`,
      '--format',
      '{{.ID}}',
    ],
    { timeoutMs: 15_000, ...(signal && { signal }) },
  ).catch(() => undefined);
  const ids = run?.exitCode === 0 ? run.stdout.split('\n').filter((l) => l.trim()) : [];
  if (!ids.length) return [];
  const inspect = await docker(
    ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', ...ids],
    { timeoutMs: 15_000, ...(signal && { signal }) },
  ).catch(() => undefined);
  return inspect?.exitCode === 0 ? inspect.stdout.split(/\s+/).filter(Boolean) : [];
};

/**
 * The blast-radius guard: disruptive runs only touch a cluster the configuration allows. Allowed are
 * the contexts listed in `kube.allowedContexts` (exact names) and, without configuration, a kube
 * lab's own context: `kind-<name>` whose API server is the control plane container of the running
 * kube lab `<name>` (labelled `pxchaos.kube-lab=<name>`). A name alone is not enough: a user's
 * real kind cluster, or a remote cluster whose context happens to be called `kind-…`, is refused.
 *
 * Refuses with a UsageError (exit 2: the configuration does not permit it) naming the config line
 * that allows the context. Reads the kubeconfig and asks Docker; touches no cluster.
 */
export async function guardKubeContext(
  target: string,
  ref: KubeContextRef,
  allowedContexts: readonly string[],
  options: { readonly controlPlaneIps?: KubeLabControlPlaneIps; readonly signal?: AbortSignal } = {},
): Promise<ContextPermit> {
  const kubeLab = kubeLabOfContext(ref.context);
  const host = serverHost(ref.server);
  if (kubeLab && host) {
    const ips = await (options.controlPlaneIps ?? dockerKubeLabControlPlaneIps)(kubeLab, options.signal);
    if (ips.includes(host)) return { by: 'kube-lab', kubeLab };
  }
  if (allowedContexts.includes(ref.context)) return { by: 'config' };
  const listed = allowedContexts.length ? `[${allowedContexts.join(', ')}]` : 'empty';
  throw new UsageError(
    `target ${target}: kube context '${ref.context}' (${ref.server || 'cluster not created yet'}) is not allowed: faults would disrupt that cluster and kube.allowedContexts is ${listed}; to allow it add '${ref.context}' to kube.allowedContexts in the config, e.g. the line: ${allowLine(ref.context)}`,
  );
}
