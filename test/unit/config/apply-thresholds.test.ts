import { expect } from 'chai';
import { applyPlacedThresholds, applyThresholds } from '../../../lib/sut/apply-thresholds.js';
import type { Expectation, FullExpectations } from '../../../lib/sut/expectations.js';
import { loadConfig } from '../../../lib/pxchaos-config.js';

function expectation(recoveryWithinMs: number, holdMs: number): Expectation {
  return { recoveryWithinMs, holdMs, failedWritesAllowed: true, primaryMoves: true, source: 'test table' };
}

const table: FullExpectations = {
  'network-partition': expectation(45_000, 40_000),
  'agent-restart-within-grace': expectation(15_000, 5_000),
  'agent-down-past-grace': expectation(90_000, 60_000),
  'drive-offline': expectation(120_000, 30_000),
};

describe('applyThresholds', () => {
  it('overrides only the configured figures and says so in the source', async () => {
    const config = await loadConfig({
      cwd: '/nonexistent-dir-for-pxchaos-tests',
      env: {
        PXCHAOS_SCENARIOS_NETWORK_PARTITION_THRESHOLDS_RECOVERY_WITHIN: '90s',
        PXCHAOS_SCENARIOS_DRIVE_OFFLINE_HOLD: '10s',
      },
    });
    const out = applyThresholds(table, config);
    expect(out['network-partition'].recoveryWithinMs).to.equal(90_000);
    expect(out['network-partition'].holdMs).to.equal(table['network-partition'].holdMs);
    expect(out['network-partition'].source).to.include('test table').and.include('recoveryWithin=');
    expect(out['drive-offline'].holdMs).to.equal(10_000);
    expect(out['drive-offline'].recoveryWithinMs).to.equal(table['drive-offline'].recoveryWithinMs);
    expect(out['agent-down-past-grace']).to.equal(table['agent-down-past-grace']);
    // The input table is data shared by every run: it must not be mutated.
    expect(table['network-partition'].recoveryWithinMs).to.equal(45_000);
  });
});

describe('applyPlacedThresholds', () => {
  it('applies a scenario’s thresholds to its placed expectations too, and leaves the rest alone', async () => {
    const config = await loadConfig({
      cwd: '/nonexistent-dir-for-pxchaos-tests',
      env: { PXCHAOS_SCENARIOS_NETWORK_PARTITION_THRESHOLDS_FAILED_WRITES_ALLOWED: 'false' },
    });
    const out = applyPlacedThresholds({ replica: table }, config);
    expect(out.replica?.['network-partition']?.failedWritesAllowed).to.equal(false);
    expect(out.replica?.['network-partition']?.source).to.include('failedWritesAllowed=false');
    expect(out.replica?.['drive-offline']).to.equal(table['drive-offline']);
    expect(out).to.not.have.property('bystander');
  });
});
