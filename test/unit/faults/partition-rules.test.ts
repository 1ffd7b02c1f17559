import { expect } from 'chai';
import { UsageError } from '../../../lib/errors.js';
import {
  partitionChains,
  partitionInjectArgv,
  partitionRevertArgv,
  partitionRules,
} from '../../../lib/faults/partition-rules.js';
import { classifyTcpProbe } from '../../../lib/faults/tcp-reachability.js';

describe('partition rules', () => {
  const chains = partitionChains('ab12');

  it('names dedicated chains within iptables’ 28-character limit', () => {
    expect(chains).to.deep.equal({ input: 'PXCHAOS-ab12-IN', output: 'PXCHAOS-ab12-OUT' });
    expect(partitionChains('abcdefabcdef').output.length).to.be.at.most(28);
    expect(() => partitionChains('a b')).to.throw();
  });

  it('keeps SSH and loopback before a full DROP, jumped to at position 1', () => {
    const rules = partitionRules(chains);
    expect(rules[0]).to.equal('*filter');
    expect(rules.at(-1)).to.equal('COMMIT');
    const dropIn = rules.indexOf('-A PXCHAOS-ab12-IN -j DROP');
    expect(rules.indexOf('-A PXCHAOS-ab12-IN -p tcp --dport 22 -j ACCEPT')).to.be.within(0, dropIn);
    expect(rules.indexOf('-A PXCHAOS-ab12-IN -i lo -j ACCEPT')).to.be.within(0, dropIn);
    expect(rules.indexOf('-A PXCHAOS-ab12-OUT -p tcp --sport 22 -j ACCEPT')).to.be.lessThan(
      rules.indexOf('-A PXCHAOS-ab12-OUT -j DROP'),
    );
    expect(rules).to.include('-I INPUT 1 -j PXCHAOS-ab12-IN');
    expect(rules).to.include('-I OUTPUT 1 -j PXCHAOS-ab12-OUT');
  });

  it("keeps a helper pod's kubelet port instead of SSH when told, and then cuts SSH too", () => {
    const rules = partitionRules(chains, [], [10250]);
    const dropIn = rules.indexOf('-A PXCHAOS-ab12-IN -j DROP');
    expect(rules.indexOf('-A PXCHAOS-ab12-IN -p tcp --dport 10250 -j ACCEPT')).to.be.within(0, dropIn);
    expect(rules).to.include('-A PXCHAOS-ab12-OUT -p tcp --sport 10250 -j ACCEPT');
    expect(rules.filter((r) => r.includes(' 22 '))).to.deep.equal([]);
    expect(partitionInjectArgv(chains, [], [10250]).slice(4)).to.deep.equal(rules);
  });

  it('drops only the peers when given, both directions', () => {
    const rules = partitionRules(chains, ['172.18.0.3', '172.18.0.4']);
    expect(rules).to.include('-A PXCHAOS-ab12-IN -s 172.18.0.3 -j DROP');
    expect(rules).to.include('-A PXCHAOS-ab12-OUT -d 172.18.0.4 -j DROP');
    expect(rules.filter((r) => r.endsWith(' -j DROP') && !/ -[sd] /.test(r))).to.deep.equal([]);
    expect(() => partitionRules(chains, ['n2; rm -rf /'])).to.throw(UsageError);
  });

  it('passes the rules as argv words, not through shell interpolation', () => {
    const argv = partitionInjectArgv(chains);
    expect(argv.slice(0, 2)).to.deep.equal(['sh', '-c']);
    expect(argv[2]).to.not.include('PXCHAOS');
    expect(argv.slice(4)).to.deep.equal(partitionRules(chains));
    const revert = partitionRevertArgv(chains);
    expect(revert.slice(-2)).to.deep.equal(['PXCHAOS-ab12-IN', 'PXCHAOS-ab12-OUT']);
  });

  it('classifies TCP probes', () => {
    expect(classifyTcpProbe(0, '')).to.equal('answered');
    expect(classifyTcpProbe(1, 'bash: connect: Connection refused')).to.equal('answered');
    expect(classifyTcpProbe(124, '')).to.equal('no-answer');
    expect(classifyTcpProbe(1, 'bash: connect: Operation not permitted')).to.equal('blocked-locally');
    expect(classifyTcpProbe(1, 'No route to host')).to.equal('error');
  });
});
