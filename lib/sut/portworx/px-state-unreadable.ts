/**
 * Thrown by the Portworx state parsers when PX's output cannot be read with confidence: not JSON, a
 * field missing, a table cut short. A fault run acts on what these parsers say (which node holds the
 * volume, whether a node is down), so a guess is worse than a failure that names what was missing.
 * The message always starts with `could not read PX state: `.
 */
export class PxStateUnreadable extends Error {
  constructor(what: string, options?: ErrorOptions) {
    super(`could not read PX state: ${what}`, options);
    this.name = 'PxStateUnreadable';
  }
}
