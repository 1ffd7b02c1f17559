import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import { PxchaosError } from '../../lib/errors.js';

/** The PxchaosError a preflight refused with, checked to be one line; anything else (or success) fails the test. */
export async function refusal(promise: Promise<unknown>): Promise<PxchaosError> {
  const outcome = await promise.then(
    (value) => new Error(`preflight passed: ${JSON.stringify(value)}`),
    (err: unknown) => err,
  );
  if (!(outcome instanceof PxchaosError)) throw outcome;
  expect(outcome.message, 'one line').to.not.include('\n');
  return outcome;
}

/** A TCP listener that only counts connections: proof that a refused target (API server, SSH port) was not contacted. */
export async function sentinel(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, connections: () => count };
}
