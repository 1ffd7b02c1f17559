/**
 * The live page's script, bundled for the browser by lib/live/live-bundle.ts. It keeps the run's
 * state from the server's messages (a snapshot on every (re)connect, then changes) and draws it with
 * the report's own code: the chart is renderTimelineChart, the counters and the RTO computeMetrics.
 */
import { computeMetrics } from '../../observe/metrics.js';
import { a, h } from '../../report/html-escape.js';
import { formatMetric } from '../../report/metric-format.js';
import { renderTimelineChart } from '../../report/timeline-chart.js';
import { formatDuration } from '../../time/duration.js';
import type { LiveMessage, LiveScenario, LiveSnapshot } from '../live-messages.js';

/** The chart is redrawn at most this often, however fast events come. */
const DRAW_EVERY_MS = 250;

interface PageState {
  title: string;
  scenarios: LiveScenario[];
  step: LiveSnapshot['step'];
  finished: LiveSnapshot['finished'];
}

const state: PageState = { title: '', scenarios: [], step: null, finished: null };
let drawScheduled = false;
/** Messages applied so far (the browser test reads it to know the page is up to date). */
let applied = 0;

const byId = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the live page has no #${id}`);
  return element;
};

function apply(message: LiveMessage): void {
  switch (message.type) {
    case 'snapshot':
      state.title = message.snapshot.title;
      state.scenarios = message.snapshot.scenarios.map((s) => ({ ...s, events: [...s.events] }));
      state.step = message.snapshot.step;
      state.finished = message.snapshot.finished;
      break;
    case 'scenario':
      state.scenarios[message.id] = { id: message.id, title: message.title, events: [] };
      break;
    case 'events': {
      state.scenarios[message.id]?.events.push(...message.events);
      // How long the newest event took from being recorded to this page (bench/live-view.ts reads it).
      const newest = message.events.at(-1);
      if (newest) {
        const lag = Date.now() - newest.wall;
        document.body.dataset.lagMs = String(lag);
        document.body.dataset.lagMaxMs = String(Math.max(lag, Number(document.body.dataset.lagMaxMs ?? 0)));
      }
      break;
    }
    case 'result': {
      const scenario = state.scenarios[message.id];
      if (scenario) scenario.result = message.result;
      break;
    }
    case 'step':
      state.step = message.step;
      break;
    case 'finished':
      state.finished = message.finished;
      break;
  }
  applied += 1;
  document.body.dataset.applied = String(applied);
  if (message.type === 'step' || message.type === 'snapshot') drawStep();
  scheduleDraw();
}

function scheduleDraw(): void {
  if (drawScheduled) return;
  drawScheduled = true;
  setTimeout(() => {
    drawScheduled = false;
    draw();
  }, DRAW_EVERY_MS);
}

function drawStep(): void {
  const box = byId('step');
  const step = state.step;
  box.hidden = step === null;
  byId('step-explanation').textContent = step?.explanation ?? '';
  (byId('next') as HTMLButtonElement).disabled = step === null;
}

function currentStep(scenario: LiveScenario): string {
  for (let i = scenario.events.length - 1; i >= 0; i--) {
    const e = scenario.events[i];
    if (e?.kind === 'step') return e.name;
  }
  return 'starting';
}

function verdictOf(scenario: LiveScenario): 'running' | 'passed' | 'failed' {
  if (!scenario.result) return 'running';
  return scenario.result.checks.every((c) => c.passed) ? 'passed' : 'failed';
}

function counters(scenario: LiveScenario, metrics: Record<string, number | string>): string {
  const lost = scenario.result?.metrics.lost_acked;
  const cells: [string, string, number | string | undefined][] = [
    ['acked', 'acknowledged', metrics.acked],
    ['failed', 'failed', metrics.failed],
    ['unknown', 'unknown', metrics.unknown],
    ['lost', 'lost (after read-back)', lost ?? '–'],
  ];
  return cells
    .map(
      ([key, label, value]) =>
        `<div class="counter ${key}" data-counter="${key}"><b>${h(String(value ?? 0))}</b><span>${label}</span></div>`,
    )
    .join('');
}

function recoveryLine(metrics: Record<string, number | string>): string {
  if (metrics.recovered === 'no-fault') return 'no fault injected yet';
  if (metrics.rto_basis === 'no-failure') return 'no write has failed since the fault (RTO 0)';
  if (metrics.recovered === 'yes') return `recovered: RTO ${formatMetric('rto_ms', metrics.rto_ms ?? 0)}`;
  const lower = metrics.rto_lower_bound_ms;
  return `not recovered yet${typeof lower === 'number' ? ` (${formatDuration(lower)} since the fault)` : ''}`;
}

function checksList(scenario: LiveScenario): string {
  if (!scenario.result) return '';
  return `<ul class="checks">${scenario.result.checks
    .map(
      (c) =>
        `<li data-passed="${String(c.passed)}" data-name="${a(c.name)}"><span class="mark">${c.passed ? '✔' : '✘'}</span> ${h(c.name)}${c.message ? `<div class="why">${h(c.message)}</div>` : ''}</li>`,
    )
    .join('')}</ul>`;
}

function draw(): void {
  document.title = state.title ? `${state.title} — pxchaos live` : 'pxchaos live';
  byId('title').textContent = state.title;
  const current = state.scenarios.at(-1);
  const live = byId('current');
  if (!current) {
    live.innerHTML = '<p class="muted">waiting for the first scenario…</p>';
  } else {
    const metrics = computeMetrics({ events: current.events });
    const rto = metrics.recovered === 'yes' ? Number(metrics.rto_ms) : undefined;
    live.dataset.scenario = current.title;
    live.innerHTML = `
      <h2 id="scenario-title">${h(current.title)} <span class="verdict ${verdictOf(current)}">${verdictOf(current)}</span></h2>
      <p id="current-step">${h(currentStep(current))}</p>
      <div id="counters">${counters(current, metrics)}</div>
      <p id="recovery">${h(recoveryLine(metrics))}</p>
      <div id="chart">${renderTimelineChart(current.events, {
        ...(rto !== undefined && Number.isFinite(rto) && { rtoMs: rto }),
        ...(current.result?.phases && { phases: current.result.phases }),
        title: current.title,
      })}</div>
      ${checksList(current)}`;
  }
  byId('done').innerHTML = state.scenarios
    .slice(0, -1)
    .map(
      (s) =>
        `<details class="scenario" data-verdict="${verdictOf(s)}" data-scenario="${a(s.title)}"><summary>${h(s.title)} <span class="verdict ${verdictOf(s)}">${verdictOf(s)}</span></summary>${checksList(s)}</details>`,
    )
    .join('');
  const finished = state.finished;
  const end = byId('finished');
  end.hidden = finished === null;
  if (finished)
    end.innerHTML = `Run finished, exit ${finished.exitCode}. <a href="${a(finished.reportUrl)}">Final report</a> <span class="muted">${h(finished.reportPath)}</span>`;
}

function connect(): void {
  const status = byId('status');
  const source = new EventSource('/events');
  source.onopen = () => {
    status.textContent = 'live';
    status.className = 'live';
  };
  source.onerror = () => {
    // EventSource reconnects by itself; the server sends the whole state again when it does.
    status.textContent = state.finished ? 'run ended' : 'reconnecting…';
    status.className = 'down';
  };
  source.onmessage = (m: MessageEvent<string>) => apply(JSON.parse(m.data) as LiveMessage);
}

byId('next').addEventListener('click', () => {
  (byId('next') as HTMLButtonElement).disabled = true;
  void fetch('/next', { method: 'POST' });
});
connect();
