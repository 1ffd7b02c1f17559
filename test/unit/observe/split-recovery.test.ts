import { expect } from 'chai';
import type { PhaseMilestone } from '../../../lib/observe/recovery-phase-plan.js';
import { phaseMetrics, splitRecovery } from '../../../lib/observe/split-recovery.js';
import type { PlatformEvent, TimelineEvent } from '../../../lib/observe/timeline-events.js';

/** Milestones found by event name, so a test decides which were recorded and when. */
function platform(t: number, event: string): PlatformEvent {
  return { kind: 'platform', t, wall: 1_700_000_000_000 + t, event };
}

function milestone(name: string, predict?: PhaseMilestone['predict']): PhaseMilestone {
  return {
    name,
    title: `${name}: ends at the ${name} event`,
    find: (ctx) => {
      const e = ctx.events.find((x) => x.kind === 'platform' && x.event === name && x.t >= ctx.after);
      return e && { t: e.t, evidence: name };
    },
    ...(predict && { predict }),
  };
}

const PLAN = [milestone('a'), milestone('b'), milestone('c')];
const SPAN = { faultAt: 1000, faultNode: 'n1', recoveredAt: 11_000 };
const total = (phases: readonly { durationMs: number }[]) => phases.reduce((s, p) => s + p.durationMs, 0);

describe('splitRecovery', () => {
  it('cuts the recovery at each milestone found, then at the recovery: the phases tile the RTO', () => {
    const events: TimelineEvent[] = [platform(3000, 'a'), platform(4500, 'b'), platform(9000, 'c')];
    const phases = splitRecovery(events, SPAN, PLAN);
    expect(phases.map((p) => [p.name, p.startMs, p.endMs])).to.deep.equal([
      ['a', 0, 2000],
      ['b', 2000, 3500],
      ['c', 3500, 8000],
      ['first_write', 8000, 10_000],
    ]);
    expect(total(phases)).to.equal(SPAN.recoveredAt - SPAN.faultAt);
  });

  it('gives a stretch without events one unknown phase naming what it holds, never a guessed boundary', () => {
    const events: TimelineEvent[] = [platform(3000, 'a'), platform(9000, 'c')];
    const phases = splitRecovery(events, SPAN, PLAN);
    expect(phases.map((p) => p.name)).to.deep.equal(['a', 'unknown', 'first_write']);
    const unknown = phases[1];
    expect(unknown?.covers?.map((c) => c.name)).to.deep.equal(['b', 'c']);
    expect([unknown?.startMs, unknown?.endMs]).to.deep.equal([2000, 8000]);
    expect(unknown?.note).to.include('no event recorded for b');
    const m = phaseMetrics(phases);
    expect(m.phase_unknown_ms).to.equal(6000);
    expect(m).to.not.have.property('phase_b_ms');
    expect(m).to.not.have.property('phase_c_ms');
    expect(total(phases)).to.equal(10_000);
  });

  it('ends a phase whose event was seen after a later one at that later one, saying so', () => {
    // b seen after the recovery (a watch that polls): it cannot have happened after the first write.
    const events: TimelineEvent[] = [platform(3000, 'a'), platform(11_300, 'b')];
    const phases = splitRecovery(events, SPAN, [milestone('a'), milestone('b')]);
    expect(phases.map((p) => [p.name, p.endMs])).to.deep.equal([
      ['a', 2000],
      ['b', 10_000],
      ['first_write', 10_000],
    ]);
    expect(phases[1]?.note).to.match(/seen at \+10\.3 s, after first_write/);
    expect(total(phases)).to.equal(10_000);
  });

  it('ignores milestones recorded before the fault or out of the plan order', () => {
    const events: TimelineEvent[] = [platform(500, 'a'), platform(2000, 'b'), platform(3000, 'a')];
    const phases = splitRecovery(events, SPAN, PLAN);
    // a is looked for from the fault on (3000); b then only after a: none, nor c.
    expect(phases.map((p) => p.name)).to.deep.equal(['a', 'unknown']);
    expect(phases[1]?.covers?.map((c) => c.name)).to.deep.equal(['b', 'c', 'first_write']);
  });

  it('predicts from the settings given, measured or not, as info beside the measured figure', () => {
    const plan = [
      milestone(
        'a',
        (s) => s.timer && { lowMs: s.timer.ms - 100, highMs: s.timer.ms, source: s.timer.source },
      ),
      milestone('b', (s) => s.other && { lowMs: 0, highMs: s.other.ms, source: s.other.source }),
    ];
    const events: TimelineEvent[] = [platform(3000, 'a')];
    const settings = { timer: { ms: 1500, source: 'test timer' }, other: { ms: 700, source: 'test other' } };
    const phases = splitRecovery(events, SPAN, plan, settings);
    expect(phases[0]?.predicted).to.deep.equal({ lowMs: 1400, highMs: 1500, source: 'test timer' });
    const m = phaseMetrics(phases);
    expect(m.phase_a_predicted_ms).to.equal(1500);
    // b has no event: its prediction still shows, through the unknown stretch holding it.
    expect(m.phase_b_predicted_ms).to.equal(700);
    expect(splitRecovery(events, SPAN, plan)[0]).to.not.have.property('predicted');
  });
});
