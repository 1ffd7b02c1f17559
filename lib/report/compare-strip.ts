import { formatMetric } from './metric-format.js';
import { a, h } from './html-escape.js';

/** One side of a figure: its repetitions' values (numbered as run) and the median compare computed. */
export interface StripSide {
  readonly label: 'baseline' | 'current';
  readonly points: readonly { readonly repetition: number; readonly value: number }[];
  readonly median?: number;
}

const WIDTH = 420;
const PAD = 10;
const ROW = 18;
const AXIS = 14;
const R = 4;

/**
 * A strip plot of one figure, both sides on one shared axis: a lane per side, a dot per repetition
 * (its value in the hover text), the median as a tick. No scripting, so the page works as a file.
 * A value that is not finite (never recovered) is drawn at the right end, its hover text saying so.
 */
export function stripPlot(metric: string, sides: readonly StripSide[]): string {
  const finite = sides.flatMap((s) => s.points.map((p) => p.value)).filter(Number.isFinite);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(lo + 1, ...finite);
  const x = (v: number): number =>
    Number.isFinite(v) ? PAD + ((v - lo) / (hi - lo)) * (WIDTH - 2 * PAD) : WIDTH - PAD;
  const show = (v: number): string => formatMetric(metric, v);
  const height = sides.length * ROW + AXIS;
  const lanes = sides.map((s, i) => {
    const top = i * ROW;
    const mid = top + ROW / 2;
    const dots = s.points.map(
      (p) =>
        `<circle class="pt" cx="${x(p.value).toFixed(1)}" cy="${mid}" r="${R}"><title>${h(`${s.label}, repetition ${p.repetition}: ${show(p.value)}`)}</title></circle>`,
    );
    const median =
      s.median === undefined
        ? ''
        : `<line class="median" x1="${x(s.median).toFixed(1)}" x2="${x(s.median).toFixed(1)}" y1="${top + 2}" y2="${top + ROW - 2}"><title>${h(`${s.label} median: ${show(s.median)}`)}</title></line>`;
    return `<g class="lane ${s.label}"><rect class="lane-box" x="0" y="${top}" width="${WIDTH}" height="${ROW}"/>${median}${dots.join('')}</g>`;
  });
  const axisY = sides.length * ROW + AXIS - 3;
  return `<svg class="strip" role="img" aria-label="${a(`${metric}: baseline and current repetitions`)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">${lanes.join('')}<text x="${PAD}" y="${axisY}">${h(show(lo))}</text><text x="${WIDTH - PAD}" y="${axisY}" text-anchor="end">${h(show(hi))}</text></svg>`;
}
