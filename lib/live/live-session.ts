import { UsageError } from '../errors.js';
import { LOOPBACK, startLiveServer, type LiveServer } from './live-server.js';
import { LiveView } from './live-view.js';

/** `--live`, `--live-port`, `--live-host` as given (either of the last two implies the first). */
export interface LiveFlags {
  readonly live?: boolean;
  readonly livePort?: string;
  readonly liveHost?: string;
}

export interface LiveAddress {
  readonly host: string;
  readonly port: number;
}

/** Where the live page is served, or undefined without `--live`; bad input is one line, exit 2. */
export function liveAddress(flags: LiveFlags): LiveAddress | undefined {
  if (!flags.live && flags.livePort === undefined && flags.liveHost === undefined) return undefined;
  const portText = flags.livePort ?? '0';
  const port = /^\d{1,5}$/.test(portText.trim()) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new UsageError(`--live-port: expected a port from 0 (a free one) to 65535, got '${portText}'`);
  const host = (flags.liveHost ?? LOOPBACK).trim();
  if (!host) throw new UsageError('--live-host: expected an address to listen on');
  return { host, port };
}

export interface LiveSession {
  readonly view: LiveView;
  readonly server: LiveServer;
}

/** The page up and its address printed; a taken port is one line, exit 2. */
export async function openLiveSession(
  title: string,
  address: LiveAddress,
  reportFile: () => string | undefined,
  say: (line: string) => void,
): Promise<LiveSession> {
  const view = new LiveView(title);
  const server = await startLiveServer(view, { ...address, reportFile });
  say(`live view: ${server.url}`);
  if (!isLoopback(address.host))
    say(
      `warning: the live view listens on ${address.host}, not only this machine: anyone who reaches it sees the run and can press Next`,
    );
  return { view, server };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * After the run, on a terminal, the page stays up (the final report is served from it) until
 * Ctrl-C; without a terminal (CI) the command ends at once, the page keeping what it was shown.
 */
export async function lingerOnTerminal(session: LiveSession, say: (line: string) => void): Promise<void> {
  if (process.stdin.isTTY) {
    say(`live view: the run has ended; the page stays at ${session.server.url} until Ctrl-C`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  await session.server.close();
}
