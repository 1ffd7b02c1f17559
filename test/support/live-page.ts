import type { BrowserPage } from './headless-browser.js';

/** The live page's address as `pxchaos run --live` / `replay` print it. */
export function liveUrlIn(output: string): string | undefined {
  return /live view: (http:\/\/\S+\/)/.exec(output)?.[1];
}

/** What the live page shows, read from its DOM. */
export interface LivePageState {
  readonly status: string;
  readonly applied: number;
  readonly scenario: string;
  readonly currentStep: string;
  /** The `--step` pause on show, or null. */
  readonly explanation: string | null;
  readonly nextEnabled: boolean;
  readonly counters: Readonly<Record<string, string>>;
  readonly recovery: string;
  /** Shapes drawn in the chart (write bins, probe marks, markers): grows as events arrive. */
  readonly chartShapes: number;
  /** Every judged check on the page: the current scenario's and the earlier ones'. */
  readonly checks: readonly { scenario: string; name: string; passed: boolean }[];
  readonly finished: string | null;
  readonly reportHref: string | null;
}

export const readLivePage = (page: BrowserPage): Promise<LivePageState> =>
  page.evaluate<LivePageState>(`(() => {
    const text = (sel) => document.querySelector(sel)?.textContent?.trim() ?? '';
    const step = document.getElementById('step');
    const counters = {};
    for (const c of document.querySelectorAll('[data-counter]')) counters[c.dataset.counter] = c.querySelector('b').textContent;
    const checks = [];
    const current = document.getElementById('current');
    for (const li of current.querySelectorAll('ul.checks li'))
      checks.push({ scenario: current.dataset.scenario, name: li.dataset.name, passed: li.dataset.passed === 'true' });
    for (const d of document.querySelectorAll('#done details.scenario')) {
      for (const li of d.querySelectorAll('ul.checks li'))
        checks.push({ scenario: d.dataset.scenario, name: li.dataset.name, passed: li.dataset.passed === 'true' });
    }
    const finished = document.getElementById('finished');
    return {
      status: text('#status'),
      applied: Number(document.body.dataset.applied ?? 0),
      scenario: current.dataset.scenario ?? '',
      currentStep: text('#current-step'),
      explanation: step.hidden ? null : text('#step-explanation'),
      nextEnabled: !document.getElementById('next').disabled,
      counters,
      recovery: text('#recovery'),
      chartShapes: document.querySelectorAll('#chart svg rect, #chart svg line, #chart svg circle').length,
      checks,
      finished: finished.hidden ? null : finished.textContent.trim(),
      reportHref: finished.querySelector('a')?.href ?? null,
    };
  })()`);
