/**
 * A signal that aborts after `ms` (reason: a TimeoutError DOMException, as AbortSignal.timeout's) or
 * as soon as one of `signals` aborts.
 *
 * Not `AbortSignal.any([...signals, AbortSignal.timeout(ms)])`: on Node 20 a composite signal holds
 * its sources weakly, so a timeout signal nothing else references can be garbage-collected before
 * it fires, and the composite then never aborts (nodejs/node#57736). Seen here: `lab up`'s 60 s wait
 * for a reused lab to get healthy never ended inside a long test process. The timer below holds its
 * controller until it fires; it is unref'd, so it keeps no process alive.
 */
export function deadlineSignal(ms: number, ...signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const deadline = new AbortController();
  // AbortSignal.timeout() rejects fractions; callers pass remaining-time arithmetic.
  const timer = setTimeout(
    () => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    Math.max(1, Math.ceil(ms)),
  );
  timer.unref();
  const others = signals.filter((s): s is AbortSignal => s !== undefined);
  return others.length ? AbortSignal.any([deadline.signal, ...others]) : deadline.signal;
}
