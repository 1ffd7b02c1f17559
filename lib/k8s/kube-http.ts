import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeClient } from './kube-client.js';
import { describeKubeError, statusError } from './kube-api-error.js';
import { requestSignal } from './request-deadline.js';

/**
 * Plain HTTP requests to the API server with the kubeconfig's credentials (client certificate,
 * token, CA), for what the generated clients do not cover well: generic list by path and the
 * watch stream, whose connection we must be able to end ourselves (client-node's Watch keeps its
 * AbortController until the response arrives, so a hung connect cannot be aborted).
 */
async function send(
  client: KubeClient,
  path: string,
  signal: AbortSignal,
  accept = 'application/json',
): Promise<IncomingMessage> {
  const url = new URL(client.server.replace(/\/$/, '') + path);
  const options: https.RequestOptions = {};
  await client.kc.applyToHTTPSOptions(options);
  const headers = { ...(options.headers ?? {}), Accept: accept };
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { ...options, method: 'GET', headers, signal }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface KubeGetOptions {
  /** What is being done, first in error messages. */
  readonly what: string;
  readonly signal?: AbortSignal;
  /** Deadline of the whole request, body included; default the client's. */
  readonly timeoutMs?: number;
}

/** GET a path and parse its JSON; any failure is one KubeApiError line. */
export async function kubeGetJson<T>(client: KubeClient, path: string, options: KubeGetOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? client.requestTimeoutMs;
  const caller = options.signal ?? client.signal;
  const signal = requestSignal(timeoutMs, caller);
  try {
    const res = await send(client, path, signal);
    const body = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw statusError(options.what, status, body);
    return JSON.parse(body) as T;
  } catch (err) {
    throw describeKubeError(err, { what: options.what, timeoutMs, signal: caller });
  }
}

/**
 * Opens a streaming GET (a watch) and returns the response once its status line is 200. `signal`
 * ends the stream at any time; `connectTimeoutMs` bounds the wait for the response headers only.
 */
export async function kubeOpenStream(
  client: KubeClient,
  path: string,
  options: { what: string; signal: AbortSignal; connectTimeoutMs: number },
): Promise<IncomingMessage> {
  const connect = new AbortController();
  const timer = setTimeout(() => connect.abort(), options.connectTimeoutMs);
  const signal = AbortSignal.any([options.signal, connect.signal]);
  try {
    const res = await send(client, path, signal);
    const status = res.statusCode ?? 0;
    if (status !== 200) throw statusError(options.what, status, await readBody(res));
    return res;
  } catch (err) {
    throw describeKubeError(err, {
      what: options.what,
      timeoutMs: options.connectTimeoutMs,
      signal: options.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}
