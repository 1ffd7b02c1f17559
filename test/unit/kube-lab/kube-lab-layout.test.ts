import { expect } from 'chai';
import { kubeLabLayout } from '../../../lib/kube-lab/kube-lab-layout.js';

// Docker's default address pools (libnetwork ipamutils): every network created without --subnet —
// the lab's own network among them — takes a /16 from the first or a /20 from the second.
const DOCKER_DEFAULT_POOLS = [
  { base: [172, 17], prefix: 12 }, // 172.16/12 covers 172.17–172.31
  { base: [192, 168], prefix: 16 },
];
const POD_AND_SERVICE = [
  { base: [10, 244], prefix: 16 },
  { base: [10, 96], prefix: 12 },
];

function inRange(ip: string, range: { base: number[]; prefix: number }): boolean {
  const toInt = (octets: readonly number[]): number => octets.reduce((acc, o) => acc * 256 + o, 0) >>> 0;
  const addr = toInt(ip.split('.').map(Number));
  const base = toInt([...range.base, 0, 0]);
  const mask = range.prefix === 0 ? 0 : (0xffffffff << (32 - range.prefix)) >>> 0;
  return (addr & mask) >>> 0 === (base & mask) >>> 0;
}

describe('kube lab layout', () => {
  const attempts = Array.from({ length: 40 }, (_, i) => kubeLabLayout('pxchaos', 3, i));

  it('never draws a node address from Docker default pools or the cluster ranges', () => {
    for (const layout of attempts)
      for (const node of layout.nodes)
        for (const range of [...DOCKER_DEFAULT_POOLS, ...POD_AND_SERVICE])
          expect(inRange(node.ip, range), `${node.ip} in ${range.base.join('.')}/${range.prefix}`).to.be
            .false;
  });

  it('puts every node inside its own subnet and moves the subnet on each attempt', () => {
    for (const layout of attempts) {
      const prefix = layout.subnet.replace(/\.0\/24$/, '.');
      for (const node of layout.nodes) expect(node.ip.startsWith(prefix)).to.equal(true);
    }
    expect(new Set(attempts.map((l) => l.subnet)).size).to.equal(attempts.length);
  });
});
