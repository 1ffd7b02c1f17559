import type { Readable, Writable } from 'node:stream';

/** A DevTools protocol event: its method, its params and the page session it came from. */
interface DevToolsEvent {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly sessionId?: string;
}

interface Pending {
  readonly method: string;
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (err: Error) => void;
}

interface EventWaiter {
  readonly matches: (e: DevToolsEvent) => boolean;
  readonly resolve: (params: Record<string, unknown>) => void;
  readonly reject: (err: Error) => void;
}

/**
 * The Chrome DevTools protocol over Chromium's `--remote-debugging-pipe` (fd 3 in, fd 4 out,
 * messages ended by NUL): no port, no WebSocket, and the browser exits on its own when the
 * pipe closes, so a test process that dies leaves no browser behind. Every call has a deadline.
 */
export class DevToolsPipe {
  private nextId = 1;
  private buffered = '';
  private closedBecause: string | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters = new Set<EventWaiter>();

  constructor(
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => this.receive(chunk));
    fromBrowser.on('close', () => this.closeWith('the browser closed its DevTools pipe'));
    fromBrowser.on('error', (err) => this.closeWith(`the DevTools pipe failed: ${err.message}`));
    toBrowser.on('error', (err) => this.closeWith(`the DevTools pipe failed: ${err.message}`));
  }

  /** Sends one command (to a page when `sessionId` is given) and resolves with its result. */
  send(
    method: string,
    params: Record<string, unknown> = {},
    options: { sessionId?: string; timeoutMs: number },
  ): Promise<Record<string, unknown>> {
    if (this.closedBecause) return Promise.reject(new Error(`${method}: ${this.closedBecause}`));
    const id = this.nextId++;
    const message = { id, method, params, ...(options.sessionId ? { sessionId: options.sessionId } : {}) };
    return withDeadline(`${method} did not answer`, options.timeoutMs, (resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.toBrowser.write(`${JSON.stringify(message)}\0`);
      return () => this.pending.delete(id);
    });
  }

  /** The params of the next `method` event of `sessionId`; call before the command that causes it. */
  nextEvent(method: string, sessionId: string, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.closedBecause) return Promise.reject(new Error(`${method}: ${this.closedBecause}`));
    return withDeadline(`no ${method} event`, timeoutMs, (resolve, reject) => {
      const waiter: EventWaiter = {
        matches: (e) => e.method === method && e.sessionId === sessionId,
        resolve,
        reject,
      };
      this.waiters.add(waiter);
      return () => this.waiters.delete(waiter);
    });
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let end = this.buffered.indexOf('\0'); end >= 0; end = this.buffered.indexOf('\0')) {
      const text = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      this.dispatch(JSON.parse(text) as Record<string, unknown>);
    }
  }

  private dispatch(message: Record<string, unknown>): void {
    if (typeof message.id === 'number') {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      const error = message.error as { message?: string } | undefined;
      if (error) call.reject(new Error(`${call.method}: ${error.message ?? JSON.stringify(error)}`));
      else call.resolve((message.result ?? {}) as Record<string, unknown>);
      return;
    }
    if (typeof message.method !== 'string') return;
    const event: DevToolsEvent = {
      method: message.method,
      params: (message.params ?? {}) as Record<string, unknown>,
      ...(typeof message.sessionId === 'string' ? { sessionId: message.sessionId } : {}),
    };
    for (const waiter of this.waiters) {
      if (!waiter.matches(event)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(event.params);
    }
  }

  private closeWith(reason: string): void {
    if (this.closedBecause) return;
    this.closedBecause = reason;
    for (const call of this.pending.values()) call.reject(new Error(`${call.method}: ${reason}`));
    for (const waiter of this.waiters) waiter.reject(new Error(reason));
    this.pending.clear();
    this.waiters.clear();
  }
}

/**
 * A promise settled by `start`'s callbacks, or rejected with `what` after `timeoutMs`; `start`
 * returns how to forget the call, run however it ends.
 */
function withDeadline<T>(
  what: string,
  timeoutMs: number,
  start: (resolve: (value: T) => void, reject: (err: Error) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let forget = (): void => {};
    const timer = setTimeout(() => {
      forget();
      reject(new Error(`${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle =
      <A>(fn: (arg: A) => void) =>
      (arg: A) => {
        clearTimeout(timer);
        forget();
        fn(arg);
      };
    forget = start(settle(resolve), settle(reject));
  });
}
