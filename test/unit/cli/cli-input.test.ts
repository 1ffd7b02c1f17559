import { expect } from 'chai';
import { buildProgram } from '../../../lib/cli/main.js';
import { parseForOption, parsePeersOption } from '../../../lib/cli/inject-command.js';
import { UsageError } from '../../../lib/errors.js';
import { trackActiveFault, trackedFaultCount } from '../../../lib/faults/signal-heal.js';

describe('CLI input', () => {
  it('parses --for durations with units and refuses the rest', () => {
    expect(parseForOption('20s')).to.equal(20_000);
    expect(parseForOption('1m30s')).to.equal(90_000);
    for (const bad of ['10x', '10', '', '0s', '-5s'])
      expect(() => parseForOption(bad), bad).to.throw(UsageError);
  });

  it('parses --peers lists', () => {
    expect(parsePeersOption(undefined)).to.deep.equal([]);
    expect(parsePeersOption('n2, n3')).to.deep.equal(['n2', 'n3']);
    expect(() => parsePeersOption(',')).to.throw(UsageError);
  });

  it('registers inject and heal verbs, each with help', () => {
    const program = buildProgram();
    const inject = program.commands.find((c) => c.name() === 'inject');
    expect(inject?.commands.map((c) => c.name())).to.have.members([
      'partition',
      'agent-down',
      'drive-offline',
    ]);
    expect(program.commands.map((c) => c.name())).to.include('heal');
    expect(inject?.commands.find((c) => c.name() === 'partition')?.helpInformation()).to.include(
      '--for <duration>',
    );
  });
});

describe('signal-heal registration', () => {
  it('installs listeners with the first fault and removes them with the last', () => {
    const before = ['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'].map((e) =>
      process.listenerCount(e),
    );
    const a = trackActiveFault('a', () => Promise.resolve());
    const b = trackActiveFault('b', () => Promise.resolve());
    expect(process.listenerCount('SIGINT')).to.equal(before[0]! + 1);
    expect(trackedFaultCount()).to.equal(2);
    a();
    a();
    expect(process.listenerCount('SIGTERM')).to.equal(before[1]! + 1);
    b();
    const after = ['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'].map((e) =>
      process.listenerCount(e),
    );
    expect(after).to.deep.equal(before);
    expect(trackedFaultCount()).to.equal(0);
  });
});
