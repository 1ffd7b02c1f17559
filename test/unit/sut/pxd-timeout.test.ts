import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { parsePxdTimeout, PXD_TIMEOUT_ARGV } from '../../../lib/sut/portworx/pxd-timeout.js';
import {
  portworxExpectations,
  PXD_TIMEOUT_DEFAULT_S,
} from '../../../lib/sut/portworx/portworx-expectations.js';
import { NO_STORK } from '../../../lib/sut/portworx/stork-config.js';

describe('pxd_timeout', () => {
  it('reads the seconds px-fuse prints ("%u\\n"), nothing for no PX device', () => {
    expect(parsePxdTimeout('600\n')).to.equal(600);
    expect(parsePxdTimeout('45\n')).to.equal(45);
    expect(parsePxdTimeout('')).to.equal(undefined);
    expect(parsePxdTimeout('\n')).to.equal(undefined);
  });

  it('anything else is unreadable, never a guess (below the module minimum, text, two values)', () => {
    for (const out of ['10\n', 'cat: /sys/bus/pxd/devices/0/timeout: No such device\n', '600\n600\n', '-1'])
      expect(() => parsePxdTimeout(out), out).to.throw(/^could not read PX state: pxd timeout/);
  });

  it('the node command prints nothing where there is no PX device (this machine: no px module)', () => {
    const out = execFileSync(PXD_TIMEOUT_ARGV[0]!, PXD_TIMEOUT_ARGV.slice(1), { encoding: 'utf8' });
    expect(parsePxdTimeout(out)).to.equal(undefined);
  });

  it('a read value goes into the no-Stork past-grace expectation with where it was read', () => {
    const said = 'pxd_timeout 120 s (read from /sys/bus/pxd/devices/*/timeout on w1)';
    const e = portworxExpectations({
      stork: NO_STORK,
      replicationFactor: 2,
      pxdTimeoutS: 120,
      pxdTimeoutSaid: said,
    });
    const d = portworxExpectations({ stork: NO_STORK, replicationFactor: 2 });
    expect(e['agent-down-past-grace']!.source).to.include(said);
    expect(d['agent-down-past-grace']!.source).to.include(
      `pxd_timeout ${PXD_TIMEOUT_DEFAULT_S} s (the default`,
    );
    expect(d['agent-down-past-grace']!.holdMs - e['agent-down-past-grace']!.holdMs).to.equal(
      (PXD_TIMEOUT_DEFAULT_S - 120) * 1000,
    );
  });
});
