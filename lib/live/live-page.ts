import { CHART_COLORS } from '../report/timeline-chart.js';
import { h } from '../report/html-escape.js';

/** The live page's document: its layout and styles; /app.js (live-page-script.ts) fills it in. */
export function livePageHtml(title: string): string {
  const c = CHART_COLORS;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)} — pxchaos live</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
         color: ${c.text}; margin: 0 auto; max-width: 1280px; padding: 16px 24px 48px; }
  header { display: flex; align-items: baseline; gap: 16px; border-bottom: 1px solid ${c.grid}; }
  header h1 { font-size: 20px; margin: 8px 0; flex: 1; }
  #status { font-size: 13px; padding: 2px 10px; border-radius: 10px; background: ${c.grid}; }
  #status.live { background: ${c.acked}; color: #fff; }
  #status.down { background: ${c.unknown}; color: #fff; }
  #step { border: 2px solid ${c.recovery}; border-radius: 8px; padding: 12px 16px; margin: 16px 0;
          display: flex; gap: 16px; align-items: center; background: #f1f7fd; }
  #step[hidden] { display: none; }
  #step-explanation { flex: 1; font-size: 17px; }
  #next { font-size: 17px; padding: 8px 24px; border: 0; border-radius: 6px; background: ${c.recovery};
          color: #fff; cursor: pointer; }
  #next:disabled { opacity: .5; cursor: default; }
  h2 { font-size: 18px; margin: 16px 0 4px; }
  #current-step { color: ${c.muted}; margin: 0 0 12px; overflow-wrap: anywhere; }
  #counters { display: flex; gap: 12px; flex-wrap: wrap; }
  .counter { border: 1px solid ${c.grid}; border-radius: 8px; padding: 8px 16px; min-width: 120px; }
  .counter b { display: block; font-size: 26px; font-variant-numeric: tabular-nums; }
  .counter span { color: ${c.muted}; font-size: 13px; }
  .counter.acked b { color: ${c.acked}; } .counter.failed b { color: ${c.failed}; }
  .counter.unknown b { color: ${c.unknown}; } .counter.lost b { color: ${c.failed}; }
  #recovery { font-weight: 600; color: ${c.recovery}; }
  #chart svg { width: 100%; height: auto; }
  .verdict { font-size: 12px; text-transform: uppercase; padding: 1px 8px; border-radius: 8px; color: #fff;
             background: ${c.muted}; vertical-align: middle; }
  .verdict.passed { background: ${c.acked}; } .verdict.failed { background: ${c.failed}; }
  ul.checks { list-style: none; padding: 0; } ul.checks li { padding: 2px 0; }
  li[data-passed="true"] .mark { color: ${c.acked}; } li[data-passed="false"] .mark { color: ${c.failed}; }
  .why { color: ${c.muted}; font-size: 13px; margin-left: 22px; overflow-wrap: anywhere; }
  .muted { color: ${c.muted}; }
  details.scenario { border-top: 1px solid ${c.grid}; padding: 6px 0; }
  #finished { margin: 16px 0; padding: 10px 16px; background: #f4f6f8; border-radius: 8px; }
  #finished[hidden] { display: none; }
</style>
<script src="/app.js" defer></script>
</head>
<body>
<header><h1 id="title">${h(title)}</h1><span id="status">connecting…</span></header>
<section id="step" hidden><div id="step-explanation"></div><button id="next" type="button" disabled>Next ▶</button></section>
<section id="current"><p class="muted">waiting for the first scenario…</p></section>
<section id="finished" hidden></section>
<section id="done"></section>
</body>
</html>
`;
}
