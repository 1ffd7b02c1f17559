import { expect } from 'chai';
import { buildProgram } from '../../../lib/cli/main.js';
import { parseForOption, parsePeersOption } from '../../../lib/cli/inject-command.js';
import { UsageError } from '../../../lib/errors.js';
import { parseDuration, TIMER_MAX_MS } from '../../../lib/time/duration.js';
import { trackActiveFault, trackedFaultCount } from '../../../lib/faults/signal-heal.js';

describe('CLI input', () => {
  it('parses --for durations with units and refuses the rest', () => {
    expect(parseForOption('20s')).to.equal(20_000);
    expect(parseForOption('1m30s')).to.equal(90_000);
    for (const bad of ['10x', '10', '', '0s', '-5s'])
      expect(() => parseForOption(bad), bad).to.throw(UsageError);
  });

  it('refuses --for past its maximum (24h), never past what a timer can hold', () => {
    expect(parseForOption('24h')).to.equal(86_400_000);
    for (const long of ['24h1s', '597h', '99999999h'])
      expect(() => parseForOption(long), long).to.throw(
        UsageError,
        `--for: '${long}' is longer than the maximum of 24h`,
      );
    expect(parseDuration('596h')).to.equal(596 * 3_600_000);
    expect(() => parseDuration('597h')).to.throw(UsageError, `maximum of ${TIMER_MAX_MS}ms`);
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
