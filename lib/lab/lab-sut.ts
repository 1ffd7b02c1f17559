import { defaultLabName } from '../nodes/docker-label-nodes.js';
import { DockerExecNode } from '../nodes/docker-exec-node.js';
import type { NodeAccess } from '../nodes/node-access.js';
import { EnvironmentError } from '../errors.js';
import { labCredentials, inspectLab } from './lab-inspect.js';
import { patroniEndpoints } from './lab-endpoints.js';
import { PG_SUPERUSER, REST_USER } from './lab-credentials.js';
import type { FullExpectations, PlacedExpectations } from '../sut/expectations.js';
import { PatroniSut } from '../sut/patroni/patroni-sut.js';
import type { TimingSettings } from '../sut/recovery-phases.js';

export interface LabSutOptions {
  /** Node access to use instead of docker exec (e.g. SSH nodes); named n1..nN. */
  readonly nodes?: readonly NodeAccess[];
  readonly expectations?: FullExpectations;
  readonly placedExpectations?: PlacedExpectations;
  readonly onProxyEvent?: (event: string, detail: string) => void;
  /** Patroni's timers as the lab runs them (patroniTimingSettings). */
  readonly timings?: TimingSettings;
}

/** The patroni SUT of a running lab (`pxchaos lab up`), reached over docker exec and published ports. */
export async function openLabSut(
  lab: string = defaultLabName(),
  options: LabSutOptions = {},
): Promise<PatroniSut> {
  const info = await inspectLab(lab);
  const endpoints = patroniEndpoints(info);
  if (endpoints.length === 0) throw new EnvironmentError(`lab '${lab}' is not up: run 'pxchaos lab up'`);
  const creds = await labCredentials(lab);
  const nodes =
    options.nodes ?? info.nodes.filter((n) => n.running).map((n) => new DockerExecNode(n.name, n.container));
  return new PatroniSut({
    nodes,
    endpoints,
    database: { user: PG_SUPERUSER, password: creds.pgPassword, database: 'postgres' },
    restAuth: { username: REST_USER, password: creds.restPassword },
    ...(options.expectations && { expectations: options.expectations }),
    ...(options.placedExpectations && { placedExpectations: options.placedExpectations }),
    ...(options.onProxyEvent && { onProxyEvent: options.onProxyEvent }),
    ...(options.timings && { timings: options.timings }),
    ownsNodes: options.nodes === undefined,
  });
}
