import { expect } from 'chai';
import { resolveEndpoint } from '../../../lib/workload/endpoint-source.js';
import type { PgEndpoint } from '../../../lib/sut/sut.js';

const endpoint: PgEndpoint = { host: '127.0.0.1', port: 5432, user: 'u', password: 'p', database: 'd' };

describe('resolveEndpoint', () => {
  it('resolves a lookup with a fractional remaining time (probe deadlines are computed)', async () => {
    expect(await resolveEndpoint(() => Promise.resolve(endpoint), 499.97)).to.equal(endpoint);
  });

  it('gives up on a lookup that never answers, at the deadline', async () => {
    const started = performance.now();
    const never = (): Promise<PgEndpoint> => new Promise(() => undefined);
    let error: Error | undefined;
    await resolveEndpoint(never, 50.5).catch((err: Error) => (error = err));
    expect(error?.message).to.match(/did not answer within/);
    expect(performance.now() - started).to.be.lessThan(2000);
  });
});
