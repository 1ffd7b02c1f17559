import type { PhasePrediction, RecoveryPhase } from '../observe/recovery-phase.js';
import { formatDuration } from '../time/duration.js';
import { h } from './html-escape.js';

/**
 * The recovery's phases as a table in a scenario's section: each phase with its span (since the
 * fault), its measured duration, what the settings predicted and why, and the event that ends it
 * (and who acted). An unknown stretch names the phases it holds, each with its prediction.
 */
const span = (p: RecoveryPhase): string =>
  `+${(p.startMs / 1000).toFixed(1)} s → +${(p.endMs / 1000).toFixed(1)} s`;

function predicted(p: PhasePrediction | undefined): string {
  if (!p) return '<span class="dim">—</span>';
  const range =
    p.lowMs === p.highMs
      ? formatDuration(p.highMs)
      : `${formatDuration(p.lowMs)}–${formatDuration(p.highMs)}`;
  return `${h(range)}<div class="dim">${h(p.source)}</div>`;
}

function row(p: RecoveryPhase): string {
  const unknown = p.name === 'unknown';
  const prediction = unknown
    ? (p.covers ?? [])
        .filter((c) => c.predicted)
        .map((c) => `<div>${h(c.name)}: ${predicted(c.predicted)}</div>`)
        .join('') || predicted(undefined)
    : predicted(p.predicted);
  const what = [
    p.evidence && `<div>${h(p.evidence)}</div>`,
    p.by && `<div><b>by ${h(p.by)}</b></div>`,
    p.note && `<div class="dim">${h(p.note)}</div>`,
  ]
    .filter(Boolean)
    .join('');
  return `<tr class="${unknown ? 'unknown' : 'known'}"><td><b>${h(p.name)}</b><div class="dim">${h(unknown ? (p.covers ?? []).map((c) => c.title).join(' · ') : p.title)}</div></td><td class="num">${h(span(p))}</td><td class="num">${h(formatDuration(p.durationMs))}</td><td>${prediction}</td><td>${what}</td></tr>`;
}

export function phaseTable(phases: readonly RecoveryPhase[] | undefined): string {
  if (!phases || phases.length === 0) return '';
  const total = phases.reduce((sum, p) => sum + p.durationMs, 0);
  return `<h3>Recovery in phases</h3><table class="phases"><thead><tr><th>phase</th><th class="num">since the fault</th><th class="num">measured</th><th>predicted (from the settings)</th><th>ended by</th></tr></thead><tbody>${phases.map(row).join('')}<tr class="total"><td><b>total</b></td><td></td><td class="num"><b>${h(formatDuration(total))}</b></td><td></td><td class="dim">the RTO: the phases tile it</td></tr></tbody></table>`;
}
