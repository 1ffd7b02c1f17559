/** A finished command on a node, as a value (zx's ProcessOutput). */
export interface ExecResult {
  readonly node: string;
  readonly argv: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly durationMs: number;
}

export interface ExecOptions {
  /** Deadline for the whole call, in ms. Every call has one; NodeAccess implementations apply a default. */
  readonly timeoutMs?: number;
  /** Aborts the call (the scenario's signal). */
  readonly signal?: AbortSignal;
  /** Written to the command's stdin, then stdin is closed. */
  readonly stdin?: string;
  /** When false, a non-zero exit is returned as a result instead of thrown as CommandFailedError. Default true. */
  readonly check?: boolean;
}
