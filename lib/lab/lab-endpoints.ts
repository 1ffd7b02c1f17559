import type { PatroniNodeEndpoint } from '../sut/patroni/patroni-rest.js';
import type { LabInfo } from './lab-inspect.js';

/** Patroni REST + Postgres endpoints of the lab's running nodes, on their published ports. */
export function patroniEndpoints(info: LabInfo): PatroniNodeEndpoint[] {
  return info.nodes.flatMap((n) =>
    n.running && n.ports.rest !== undefined && n.ports.postgres !== undefined
      ? [{ name: n.name, host: n.host, restPort: n.ports.rest, pgPort: n.ports.postgres }]
      : [],
  );
}

/** n1..nN */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}
