import { docker, DockerUnavailableError } from '../docker/docker-cli.js';
import { UsageError } from '../errors.js';
import { DockerExecNode } from './docker-exec-node.js';
import type { NodeAccess } from './node-access.js';

export const NODE_LABEL = 'pxchaos.node';
export const LAB_LABEL = 'pxchaos.lab';

/** The lab name used when none is given: PXCHAOS_LAB, else "pxchaos". */
export function defaultLabName(): string {
  return process.env.PXCHAOS_LAB || 'pxchaos';
}

export interface ResolveDockerNodesOptions {
  /** Only containers with `pxchaos.lab=<lab>`; default `defaultLabName()`; `null` = any lab. */
  readonly lab?: string | null;
  readonly timeoutMs?: number;
}

/** Running containers labelled `pxchaos.node=<name>`, as nodes keyed by that name. */
export async function resolveDockerNodes(
  options: ResolveDockerNodesOptions = {},
): Promise<Map<string, NodeAccess>> {
  const lab = options.lab === undefined ? defaultLabName() : options.lab;
  const filters = [
    '--filter',
    `label=${NODE_LABEL}`,
    ...(lab === null ? [] : ['--filter', `label=${LAB_LABEL}=${lab}`]),
  ];
  const run = await docker(
    ['ps', ...filters, '--format', `{{.Names}}\t{{.Label "${NODE_LABEL}"}}\t{{.Label "${LAB_LABEL}"}}`],
    { timeoutMs: options.timeoutMs ?? 15_000 },
  ).catch((err: unknown) => {
    if (err instanceof DockerUnavailableError) throw err;
    throw new DockerUnavailableError(`Docker engine is not answering: ${(err as Error).message}`);
  });
  if (run.exitCode !== 0) {
    throw new DockerUnavailableError(`docker ps failed: ${run.stderr.trim().split('\n')[0] ?? ''}`);
  }
  const nodes = new Map<string, NodeAccess>();
  for (const line of run.stdout.split('\n')) {
    const [container, name, labName] = line.trim().split('\t');
    if (!container || !name) continue;
    if (nodes.has(name)) {
      throw new UsageError(
        `node '${name}' is on more than one running container (lab ${labName ?? '?'}): pass --lab`,
      );
    }
    nodes.set(name, new DockerExecNode(name, container));
  }
  return nodes;
}

/** One node by name; an unknown name is a UsageError that lists the known ones. */
export async function resolveDockerNode(
  name: string,
  options: ResolveDockerNodesOptions = {},
): Promise<NodeAccess> {
  const nodes = await resolveDockerNodes(options);
  return pickNode(nodes, name, options.lab === undefined ? defaultLabName() : options.lab);
}

/** Looks a name up in a resolved set, with a helpful error. */
export function pickNode(
  nodes: ReadonlyMap<string, NodeAccess>,
  name: string,
  lab?: string | null,
): NodeAccess {
  const node = nodes.get(name);
  if (node) return node;
  const where = lab ? ` in lab '${lab}'` : '';
  const known = [...nodes.keys()].sort();
  throw new UsageError(
    known.length
      ? `unknown node '${name}'${where}; known nodes: ${known.join(', ')}`
      : `unknown node '${name}': no running containers labelled ${NODE_LABEL}${lab ? ` and ${LAB_LABEL}=${lab}` : ''} (is the lab up?)`,
  );
}
