import type { ScenarioResult } from '../observe/timeline-events.js';
import { formatDuration } from '../time/duration.js';
import { checksAcross, groupState, type GroupState } from './check-across-repetitions.js';
import { figuresAcross } from './figures-across-repetitions.js';
import { a, h } from './html-escape.js';
import { formatMetric } from './metric-format.js';
import { repetitionOf, type SuiteGroup } from './repetitions.js';

export function stateBadge(state: GroupState): string {
  return `<span class="badge ${state}">${state.toUpperCase()}</span>`;
}

const MARK = { passed: '✔', failed: '✘', flaky: '⚠' } as const;
const ROW = { passed: 'pass', failed: 'fail', flaky: 'flaky' } as const;

function checksTable(g: SuiteGroup): string {
  const rows = checksAcross(g.results).map((c) => {
    const where =
      c.state === 'passed'
        ? `all ${g.results.length}`
        : `failed in ${c.failedIn.join(', ')} of ${g.results.length}`;
    return `<tr class="${ROW[c.state]}"><td class="mark">${MARK[c.state]}</td><td>${h(c.name)}${c.state === 'flaky' ? ' <span class="badge flaky">FLAKY</span>' : ''}</td><td class="num">${h(where)}</td><td>${h(c.message ?? '')}</td></tr>`;
  });
  return `<table class="verdicts"><thead><tr><th></th><th>check</th><th class="num">repetitions</th><th>first failure</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function spreadTable(g: SuiteGroup): string {
  const rows = figuresAcross(g.results).map((f) => {
    const show = (v: number | string | undefined) => (v === undefined ? '–' : formatMetric(f.metric, v));
    const stats = f.summary
      ? [f.summary.median, f.summary.min, f.summary.p90, f.summary.max]
          .map((v) => `<td class="num">${h(show(v))}</td>`)
          .join('')
      : '<td class="num dim" colspan="4">–</td>';
    return `<tr><td><code>${h(f.metric)}</code></td>${stats}<td class="dim">${h(f.values.map(show).join(' · '))}</td></tr>`;
  });
  return (
    '<table class="metrics"><thead><tr><th>metric</th><th class="num">median</th><th class="num">min</th>' +
    `<th class="num">p90</th><th class="num">max</th><th>each repetition</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

/**
 * A scenario run `--repeat N` times: its state over the repetitions (flaky marked), each check's
 * repetitions, each figure's spread, then every repetition's own section (chart, checks, figures).
 */
export function repeatedSection(
  g: SuiteGroup,
  id: string,
  repetitionSection: (r: ScenarioResult) => string,
): string {
  const first = g.results[0];
  const state = groupState(g);
  const took = g.results.reduce((n, r) => n + (Number.isFinite(r.durationMs) ? r.durationMs : 0), 0);
  const flaky = checksAcross(g.results).filter((c) => c.state === 'flaky').length;
  const reps = g.results
    .map(
      (r) =>
        `<details class="repetition"><summary>repetition ${repetitionOf(r)}: ${r.verdicts.filter((v) => v.passed).length}/${r.verdicts.length} checks passed</summary>${repetitionSection(r)}</details>`,
    )
    .join('\n');
  return `<section class="scenario ${state}" id="${a(id)}">
<h2>${stateBadge(state)} ${h(first?.scenario ?? '')} <small>${h(g.name)} · ${g.results.length} repetitions</small></h2>
<p class="meta">took ${h(formatDuration(took))} in all${flaky ? ` · ${flaky} flaky check${flaky > 1 ? 's' : ''}: failed in some repetitions, passed in others` : ''}</p>
<h3>Checks over the repetitions</h3>${checksTable(g)}
<h3>Figures over the repetitions</h3>${spreadTable(g)}
${reps}
</section>`;
}
