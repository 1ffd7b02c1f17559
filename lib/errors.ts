/**
 * Errors that map to the CLI's exit codes (design.md): 2 bad input/usage, 3 environment missing.
 * Anything else that escapes is a scenario/harness failure (exit 1).
 */
export class PxchaosError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The user asked for something malformed or unknown: exit 2. */
export class UsageError extends PxchaosError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 2, options);
  }
}

/** Something the harness needs is not there (no Docker engine, no cluster): exit 3. */
export class EnvironmentError extends PxchaosError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 3, options);
  }
}
