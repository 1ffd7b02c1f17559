import net from 'node:net';
import { expect } from 'chai';
import { TcpRelay } from '../../../lib/workload/tcp-relay.js';

/** A loopback server answering every chunk with `<name>:<chunk>`. */
async function echo(name: string): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => s.write(`${name}:${d.toString()}`));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects to the relay; `say` sends and waits for the answer; `closed` resolves when the relay cut it. */
async function client(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const say = (text: string) =>
    new Promise<string>((resolve) => {
      socket.once('data', (d) => resolve(d.toString()));
      socket.write(text);
    });
  return { socket, closed, say };
}

describe('TcpRelay', () => {
  it('relays to the target of the moment, and cuts every session at once', async () => {
    const a = await echo('a');
    const b = await echo('b');
    const relay = new TcpRelay({ connectTimeoutMs: 1000 });
    try {
      const { port } = await relay.listen();
      relay.target = { host: '127.0.0.1', port: a.port };
      const first = await client(port);
      expect(await first.say('hello')).to.equal('a:hello');
      // A failover: new sessions go to the new target, the open one keeps its own.
      relay.target = { host: '127.0.0.1', port: b.port };
      const second = await client(port);
      expect(await second.say('hi')).to.equal('b:hi');
      expect(await first.say('still')).to.equal('a:still');
      expect(relay.sessionCount).to.equal(2);
      expect(relay.dropAll()).to.equal(2);
      await Promise.all([first.closed, second.closed]);
      expect(relay.sessionCount).to.equal(0);
    } finally {
      await relay.close();
      await a.close();
      await b.close();
    }
  });

  it('closes a session at once when there is no target or the target refuses', async () => {
    const relay = new TcpRelay({ connectTimeoutMs: 1000 });
    try {
      const { port } = await relay.listen();
      await (
        await client(port)
      ).closed;
      const gone = await echo('gone');
      await gone.close();
      relay.target = { host: '127.0.0.1', port: gone.port };
      await (
        await client(port)
      ).closed;
      expect(relay.sessionCount).to.equal(0);
    } finally {
      await relay.close();
    }
  });

  it('closes idempotently, cutting what is open', async () => {
    const a = await echo('a');
    const relay = new TcpRelay({ connectTimeoutMs: 1000 });
    const { port } = await relay.listen();
    relay.target = { host: '127.0.0.1', port: a.port };
    const c = await client(port);
    expect(await c.say('x')).to.equal('a:x');
    await Promise.all([relay.close(), relay.close()]);
    await c.closed;
    await a.close();
    let refused = false;
    await relay.listen().catch(() => (refused = true));
    expect(refused).to.equal(true);
  });
});
