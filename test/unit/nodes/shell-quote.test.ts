import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { shellJoin, shellQuote } from '../../../lib/nodes/shell-quote.js';

describe('shellQuote / shellJoin', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('iptables')).to.equal('iptables');
    expect(shellQuote('a b')).to.equal(`'a b'`);
    expect(shellQuote('')).to.equal(`''`);
    expect(shellQuote(`it's`)).to.equal(`'it'\\''s'`);
  });

  it('round-trips any argv through a real sh', () => {
    const argv = [
      'printf',
      '%s\\n',
      'plain',
      'with space',
      `qu'ote`,
      '"dq"',
      '$HOME',
      '`id`',
      'new\nline',
      '*',
      '',
    ];
    const out = execFileSync('sh', ['-c', shellJoin(argv)], { encoding: 'utf8' });
    expect(out).to.equal(
      argv
        .slice(2)
        .map((w) => `${w}\n`)
        .join(''),
    );
  });
});
