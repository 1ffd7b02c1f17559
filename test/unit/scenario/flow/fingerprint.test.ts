import { expect } from 'chai';
import { loadConfig } from '../../../../lib/pxchaos-config.js';
import { timingDigest } from '../../../../lib/scenario/flow/fingerprint.js';
import { LAB_EXPECTATIONS } from '../../../../lib/sut/patroni/lab-expectations.js';

describe('the fingerprint timing digest', () => {
  const expectation = LAB_EXPECTATIONS['network-partition'];

  it('changes with a threshold or a platform timer, not with the wording of the expectation', async () => {
    const config = await loadConfig({ cwd: '/nonexistent', env: {} });
    const digest = timingDigest({ config }, expectation);
    expect(digest).to.match(/^[0-9a-f]{12}$/);
    expect(timingDigest({ config }, { ...expectation, source: 'reworded', notes: 'new note' })).to.equal(
      digest,
    );
    expect(
      timingDigest({ config }, { ...expectation, recoveryWithinMs: expectation.recoveryWithinMs + 1000 }),
    ).to.not.equal(digest);
    const ttl = { ...config, lab: { ...config.lab, patroni: { ...config.lab.patroni, ttlMs: 30_000 } } };
    expect(timingDigest({ config: ttl }, expectation)).to.not.equal(digest);
  });
});
