import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import { livePageScript } from './live-bundle.js';
import { livePageHtml } from './live-page.js';
import type { LiveView } from './live-view.js';

export const LOOPBACK = '127.0.0.1';

/** A comment line every 15 s keeps proxies and idle timers from closing a quiet event stream. */
const KEEPALIVE_MS = 15_000;

export interface LiveServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface LiveServerOptions {
  readonly host: string;
  /** 0: a free port. */
  readonly port: number;
  /** The final report, served at /report once the run has finished. */
  readonly reportFile: () => string | undefined;
}

/**
 * Serves the live page for `view`: / (the page), /app.js (its script), /events (Server-Sent Events:
 * the whole state on connect, then changes), POST /next (releases a `--step` pause) and /report.
 * A port that cannot be had is bad input: one line, exit 2.
 */
export async function startLiveServer(view: LiveView, options: LiveServerOptions): Promise<LiveServer> {
  const script = await livePageScript();
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`live view: ${(err as Error).message}\n`);
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://live');
    const at = `${req.method ?? 'GET'} ${url.pathname}`;
    if (at === 'GET /') return send(res, 200, 'text/html; charset=utf-8', livePageHtml(view.title));
    if (at === 'GET /app.js') return send(res, 200, 'text/javascript; charset=utf-8', script);
    if (at === 'GET /events') return openStream(res);
    if (at === 'POST /next') return send(res, view.next() ? 204 : 409, 'text/plain', '');
    if (at === 'GET /report') {
      const file = options.reportFile();
      const html = file ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
      if (html !== undefined) return send(res, 200, 'text/html; charset=utf-8', html);
      return send(res, 404, 'text/plain', 'the final report is not written yet\n');
    }
    send(res, 404, 'text/plain', 'not found\n');
  }

  function openStream(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // A page that loses the stream asks again after 1 s, and gets the whole state.
    res.write('retry: 1000\n\n');
    streams.add(res);
    const unsubscribe = view.subscribe((message) => res.write(message));
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
    res.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new UsageError(
              `live view: cannot listen on ${options.host}:${options.port} (${err.code === 'EADDRINUSE' ? 'the port is taken' : err.code}); choose another with --live-port (0: a free one)`,
            )
          : err,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
