import type {
  FaultEvent,
  PlatformEvent,
  ProbeEvent,
  TimelineEvent,
  WriteEvent,
} from '../observe/timeline-events.js';
import type { RecoveryPhase } from '../observe/recovery-phase.js';
import { formatDuration } from '../time/duration.js';
import { redact } from './redact.js';
import { escapeAttr, escapeText } from './xml-text.js';

/**
 * One scenario's timeline as an inline SVG: write outcomes stacked per time bin, the probe
 * band, scenario steps, the fault window shaded from injected to healed, platform events
 * (leader/pod changes) and the recovery point as labelled vertical markers. No scripts: hover
 * details are SVG <title> elements, so the report stays a single static file. Platform events a few
 * pixels apart share one marker, and no two labels overlap: a label that finds no free row is left
 * out, its marker keeping the hover text.
 */
export interface TimelineChartOptions {
  /** RTO (fault injected → first successful write after the last failure), drawn as the recovery point. */
  readonly rtoMs?: number;
  /** Bin width for write outcomes; default 250 ms, widened for long timelines to keep bars readable. */
  readonly binMs?: number;
  /** Accessible description. */
  readonly title?: string;
  /** The recovery's phases (ms since the injection), drawn as bands in their own lane under the fault's. */
  readonly phases?: readonly RecoveryPhase[];
}

export const CHART_COLORS = {
  acked: '#2f9e61',
  unknown: '#f0a20b',
  failed: '#dc3d43',
  fault: '#dc3d43',
  platform: '#7048e8',
  recovery: '#1c7ed6',
  text: '#1f2933',
  muted: '#66717d',
  grid: '#e3e7ec',
} as const;

const W = 1200;
const LEFT = 104;
const RIGHT = 28;
const PLOT_W = W - LEFT - RIGHT;
const WRITES_H = 170;
const PROBE_H = 16;
const STEPS_H = 18;
const PHASES_H = 16;
/** The phases' bands, in turn (an unknown stretch is grey). */
const PHASE_COLORS = ['#1c7ed6', '#0c8599', '#5f3dc4', '#2b8a3e', '#c2255c', '#e8590c', '#495057', '#1864ab'];
const LABEL_ROW_H = 16;
const MAX_LABEL_ROWS = 5;
/** Platform events closer than this on the chart (viewBox units, about a pixel each) share one marker. */
const GROUP_WITHIN = 8;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const BIN_CHOICES = [250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];
const MAX_BINS = 320;
const TICK_CHOICES_MS = [
  500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
];

interface Marker {
  readonly kind: 'fault' | 'platform' | 'recovery';
  readonly t: number;
  readonly label: string;
  readonly color: string;
  readonly dash?: string;
  readonly width?: number;
  readonly title: string;
  /** Lower is placed first, so the fault and recovery labels survive when rows run out. */
  readonly priority: number;
  /** A k8s:* event repeating an earlier marker's (a readiness probe failing every 2 s): line and hover, no label. */
  readonly repeat?: boolean;
}

interface FaultWindow {
  readonly start: number;
  readonly end: number;
  readonly healed: boolean;
  readonly label: string;
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

/** Tick/axis label relative to the origin: -5s, 0s, 10s, 1m30s. */
function tickLabel(ms: number): string {
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${Number((abs / 1000).toFixed(1))}s`;
  const m = Math.floor(abs / 60_000);
  const s = Math.round((abs % 60_000) / 1000);
  return `${sign}${m}m${s ? String(s).padStart(2, '0') + 's' : ''}`;
}

/**
 * Rough rendered width (no font metrics without a browser); errs wide so labels do not collide:
 * DejaVu Sans, Debian's default and among the widest, measures up to 0.66 em a character in bold.
 */
function textWidth(text: string, size = 12, bold = false): number {
  return text.length * size * (bold ? 0.7 : 0.62);
}

function binLabel(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${ms / 1000} s` : `${ms / 60_000} min`;
}

/** Fault windows from the journal mirror: injected (or journaled, if never confirmed) → healed/auto-reverted. */
export function faultWindows(events: readonly TimelineEvent[], endT: number): FaultWindow[] {
  const open = new Map<string, { start: number; fromInjected: boolean; e: FaultEvent }>();
  const out: FaultWindow[] = [];
  const label = (e: FaultEvent) => `${e.fault} ${e.node}`.trim();
  for (const e of events) {
    if (e.kind !== 'fault') continue;
    const key = `${e.fault}\u0000${e.node}`;
    const current = open.get(key);
    if (e.phase === 'journaled' || e.phase === 'injected') {
      if (!current) open.set(key, { start: e.t, fromInjected: e.phase === 'injected', e });
      else if (e.phase === 'injected' && !current.fromInjected)
        open.set(key, { start: e.t, fromInjected: true, e });
    } else if (e.phase === 'healed' || e.phase === 'auto-reverted' || e.phase === 'heal-verified') {
      if (current) {
        out.push({ start: current.start, end: e.t, healed: true, label: label(current.e) });
        open.delete(key);
      }
    }
  }
  for (const w of open.values()) out.push({ start: w.start, end: endT, healed: false, label: label(w.e) });
  return out.sort((a, b) => a.start - b.start);
}

function chooseBin(spanMs: number, requested?: number): number {
  if (requested && requested > 0) return requested;
  return BIN_CHOICES.find((b) => spanMs / b <= MAX_BINS) ?? 60_000;
}

function chooseTick(spanMs: number): number {
  return TICK_CHOICES_MS.find((s) => spanMs / s <= 14) ?? 3_600_000;
}

/** Greedy row assignment so marker labels do not overlap; labels that do not fit keep only their tooltip. */
function layoutLabels(
  markers: readonly Marker[],
  x: (t: number) => number,
): { m: Marker; row: number; anchorEnd: boolean }[] {
  const rowsEnd: [number, number][][] = [];
  const placed: { m: Marker; row: number; anchorEnd: boolean }[] = [];
  for (const m of [...markers].sort((a, b) => a.priority - b.priority || a.t - b.t)) {
    const mx = x(m.t);
    if (m.repeat) {
      placed.push({ m, row: -1, anchorEnd: false });
      continue;
    }
    const w = textWidth(m.label, 12, true) + 8;
    const anchorEnd = mx + w > W - 4;
    const left = anchorEnd ? mx - w : mx;
    const right = left + w;
    let row = rowsEnd.findIndex((spans) => spans.every(([l, r]) => right + 6 <= l || left >= r + 6));
    if (row === -1 && rowsEnd.length < MAX_LABEL_ROWS) row = rowsEnd.push([]) - 1;
    if (row === -1) {
      placed.push({ m, row: -1, anchorEnd });
      continue;
    }
    rowsEnd[row]?.push([left, right]);
    placed.push({ m, row, anchorEnd });
  }
  return placed;
}

function platformLabel(e: PlatformEvent): string {
  return e.node ? `${e.event} ${e.node}` : e.event;
}

/** Kubernetes' own Events (`k8s:<reason>`), which repeat what the harness saw change, and more. */
const isK8sEvent = (e: PlatformEvent): boolean => e.event.startsWith('k8s:');

/**
 * One marker per run of platform events within GROUP_WITHIN of its first (on Kubernetes a pod's
 * deletion, creation, scheduling and their k8s:* events land within a second): labelled with its
 * first state change the harness saw (else its first k8s:* event) and how many more, its hover text
 * listing each with its time. Markers with such a state change get label rows before k8s:*-only ones;
 * a k8s:*-only marker led by the same event as an earlier one is not labelled again.
 */
function platformMarkers(
  platform: readonly PlatformEvent[],
  x: (t: number) => number,
  origin: number,
): Marker[] {
  const groups: [PlatformEvent, ...PlatformEvent[]][] = [];
  for (const e of platform) {
    const group = groups[groups.length - 1];
    if (group && x(e.t) - x(group[0].t) <= GROUP_WITHIN) group.push(e);
    else groups.push([e]);
  }
  const k8sLeads = new Set<string>();
  return groups.map((group) => {
    const [first] = group;
    const lead = group.find((e) => !isK8sEvent(e));
    const repeat = !lead && k8sLeads.has(platformLabel(first));
    if (!lead) k8sLeads.add(platformLabel(first));
    const lines = group.map(
      (e) => `${tickLabel(e.t - origin)}: ${platformLabel(e)}${e.detail ? ` — ${e.detail}` : ''}`,
    );
    const more = group.length - 1;
    return {
      kind: 'platform',
      t: first.t,
      label: more ? `${platformLabel(lead ?? first)} +${more}` : platformLabel(first),
      color: CHART_COLORS.platform,
      dash: '3 3',
      title: more ? `${group.length} platform events:\n${lines.join('\n')}` : lines.join(''),
      priority: lead ? 2 : 3,
      repeat,
    };
  });
}

export function renderTimelineChart(
  events: readonly TimelineEvent[],
  options: TimelineChartOptions = {},
): string {
  const sorted = [...events].sort((a, b) => a.t - b.t);
  const core = sorted.filter((e) => e.kind === 'write' || e.kind === 'probe' || e.kind === 'fault');
  const basis = core.length > 0 ? core : sorted;
  const first = basis[0];
  const last = basis[basis.length - 1];
  if (!first || !last) {
    return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${W} 60" width="100%" role="img" aria-label="no timeline events"><text x="${W / 2}" y="34" text-anchor="middle" font-family='${FONT}' font-size="14" fill="${CHART_COLORS.muted}">no timeline events recorded</text></svg>`;
  }
  const writes = sorted.filter((e): e is WriteEvent => e.kind === 'write');
  const probes = sorted.filter((e): e is ProbeEvent => e.kind === 'probe');
  const steps = sorted.filter((e) => e.kind === 'step');
  const platform = sorted.filter((e): e is PlatformEvent => e.kind === 'platform');
  const faults = sorted.filter((e): e is FaultEvent => e.kind === 'fault');

  const rawSpan = Math.max(1000, last.t - first.t);
  const d0 = first.t - rawSpan * 0.015;
  const d1 = last.t + rawSpan * 0.015;
  const span = d1 - d0;
  const x = (t: number) => LEFT + ((Math.min(d1, Math.max(d0, t)) - d0) / span) * PLOT_W;
  const inDomain = (t: number) => t >= d0 && t <= d1;

  const injected = faults.find((e) => e.phase === 'injected') ?? faults.find((e) => e.phase === 'journaled');
  const origin = injected?.t ?? first.t;
  const windows = faultWindows(sorted, d1);

  // Markers: fault boundaries, platform events, the recovery point.
  const markers: Marker[] = [];
  for (const w of windows) {
    markers.push({
      kind: 'fault',
      t: w.start,
      label: '⚡ fault injected',
      color: CHART_COLORS.fault,
      width: 2,
      title: `fault injected: ${w.label}`,
      priority: 0,
    });
    if (w.healed)
      markers.push({
        kind: 'fault',
        t: w.end,
        label: 'healed',
        color: CHART_COLORS.fault,
        dash: '5 3',
        title: `fault healed: ${w.label}`,
        priority: 1,
      });
  }
  markers.push(
    ...platformMarkers(
      platform.filter((e) => inDomain(e.t)),
      x,
      origin,
    ),
  );
  const rto = options.rtoMs;
  const recoveryT = injected && rto !== undefined && Number.isFinite(rto) ? injected.t + rto : undefined;
  if (recoveryT !== undefined && inDomain(recoveryT)) {
    markers.push({
      kind: 'recovery',
      t: recoveryT,
      label: `✓ recovered`,
      color: CHART_COLORS.recovery,
      width: 2,
      title: `first successful write after the last failure, ${formatDuration(rto ?? 0)} after the fault`,
      priority: 0,
    });
  }
  const placed = layoutLabels(markers, x);
  const rows = Math.max(1, ...placed.map((p) => p.row + 1));

  // Vertical layout.
  const labelsTop = 6;
  // Clear of the last label row: a 12 px text's box (ascent and descent) is about 14 px tall.
  const bracketY = labelsTop + rows * LABEL_ROW_H + 18;
  const faultTop = bracketY + 10;
  const FAULT_H = 16;
  const phases = injected ? (options.phases ?? []) : [];
  const phasesTop = faultTop + FAULT_H + 6;
  const writesTop = phases.length > 0 ? phasesTop + PHASES_H + 8 : faultTop + FAULT_H + 8;
  const writesBottom = writesTop + WRITES_H;
  const probeTop = writesBottom + 12;
  const stepsTop = probeTop + PROBE_H + 8;
  const axisY = stepsTop + STEPS_H + 6;
  const H = axisY + 40;

  const out: string[] = [];
  const title = options.title ?? 'scenario timeline';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeAttr(title)}" font-family='${FONT}' font-size="12" fill="${CHART_COLORS.text}">`,
    `<title>${escapeText(title)}</title>`,
  );

  // Fault windows (behind everything).
  for (const w of windows) {
    const x0 = x(w.start);
    const x1 = x(w.end);
    out.push(
      `<rect x="${n(x0)}" y="${faultTop}" width="${n(Math.max(1, x1 - x0))}" height="${stepsTop + STEPS_H - faultTop}" fill="${CHART_COLORS.fault}" fill-opacity="0.08"><title>${escapeText(`fault window: ${w.label}, ${formatDuration(w.end - w.start)}${w.healed ? '' : ' (not healed within the timeline)'}`)}</title></rect>`,
    );
  }

  // Fault lane: the window as a labelled bar, so it reads at a glance even where bars cover the shading.
  out.push(`<text x="12" y="${faultTop + 12}" font-weight="600">fault</text>`);
  for (const w of windows) {
    const x0 = x(w.start);
    const x1 = x(w.end);
    const label = `${w.label} · ${formatDuration(w.end - w.start)}${w.healed ? '' : ', not healed'}`;
    out.push(
      `<rect x="${n(x0)}" y="${faultTop}" width="${n(Math.max(2, x1 - x0))}" height="${FAULT_H}" rx="3" fill="${CHART_COLORS.fault}"${w.healed ? '' : ' fill-opacity="0.6"'}><title>${escapeText(`fault ${label}`)}</title></rect>`,
    );
    if (textWidth(label, 11) + 10 < x1 - x0) {
      out.push(
        `<text x="${n(x0 + 6)}" y="${faultTop + 12}" font-size="11" font-weight="600" fill="#fff">${escapeText(label)}</text>`,
      );
    }
  }

  // Recovery lane: the phases side by side, from the injection to the recovery point.
  if (injected && phases.length > 0) {
    out.push(`<text x="12" y="${phasesTop + 12}" font-weight="600">phases</text>`);
    phases.forEach((p, i) => {
      const x0 = x(injected.t + p.startMs);
      const x1 = x(injected.t + p.endMs);
      const unknown = p.name === 'unknown';
      const fill = unknown ? '#c9ced6' : (PHASE_COLORS[i % PHASE_COLORS.length] ?? CHART_COLORS.recovery);
      const label = `${p.name} ${formatDuration(p.durationMs)}`;
      const tip = `${p.title}: ${formatDuration(p.durationMs)} (+${tickLabel(p.startMs)} to +${tickLabel(p.endMs)})${p.by ? `, by ${p.by}` : ''}${p.evidence ? `; ${p.evidence}` : ''}${p.note ? `; ${p.note}` : ''}`;
      out.push(
        `<g class="phase"><title>${escapeText(redact(tip))}</title><rect x="${n(x0)}" y="${phasesTop}" width="${n(Math.max(1, x1 - x0))}" height="${PHASES_H}" fill="${fill}" stroke="#fff" stroke-width="1"/>` +
          (textWidth(label, 11) + 8 < x1 - x0
            ? `<text x="${n(x0 + 4)}" y="${phasesTop + 12}" font-size="11" font-weight="600" fill="${unknown ? CHART_COLORS.text : '#fff'}">${escapeText(label)}</text>`
            : '') +
          '</g>',
      );
    });
  }

  // Writes lane: grid + stacked bins.
  const bin = chooseBin(span, options.binMs);
  const bins = new Map<number, { acked: number; unknown: number; failed: number }>();
  for (const e of writes) {
    const k = Math.floor((e.t - origin) / bin);
    const b = bins.get(k) ?? { acked: 0, unknown: 0, failed: 0 };
    b[e.outcome] += 1;
    bins.set(k, b);
  }
  const maxCount = Math.max(1, ...[...bins.values()].map((b) => b.acked + b.unknown + b.failed));
  const yMax = niceCeil(maxCount);
  const y = (count: number) => writesBottom - (count / yMax) * WRITES_H;
  for (const v of yMax % 2 === 0 ? [0, yMax / 2, yMax] : [0, yMax]) {
    const gy = y(v);
    out.push(
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${n(gy)}" y2="${n(gy)}" stroke="${CHART_COLORS.grid}"/>`,
      `<text x="${LEFT - 6}" y="${n(gy + 4)}" text-anchor="end" fill="${CHART_COLORS.muted}" font-size="11">${n(v)}</text>`,
    );
  }
  out.push(
    `<text x="12" y="${writesTop + 14}" font-weight="600">writes</text>`,
    `<text x="12" y="${writesTop + 30}" fill="${CHART_COLORS.muted}" font-size="11">per ${escapeText(binLabel(bin))}</text>`,
  );
  for (const [k, b] of [...bins.entries()].sort((a, c) => a[0] - c[0])) {
    const t0 = origin + k * bin;
    if (t0 + bin < d0 || t0 > d1) continue;
    const x0 = x(t0);
    const x1 = x(t0 + bin);
    const gap = x1 - x0 > 6 ? 1 : 0;
    const bw = Math.max(0.8, x1 - x0 - gap);
    let acc = 0;
    const parts: string[] = [];
    for (const outcome of ['acked', 'unknown', 'failed'] as const) {
      const c = b[outcome];
      if (c === 0) continue;
      const top = y(acc + c);
      parts.push(
        `<rect x="${n(x0)}" y="${n(top)}" width="${n(bw)}" height="${n(y(acc) - top)}" fill="${CHART_COLORS[outcome]}"/>`,
      );
      acc += c;
    }
    const tip = `${tickLabel(t0 - origin)} to ${tickLabel(t0 + bin - origin)}: ${b.acked} acked, ${b.failed} failed, ${b.unknown} unknown`;
    out.push(`<g><title>${escapeText(tip)}</title>${parts.join('')}</g>`);
  }
  out.push(
    `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${writesBottom}" y2="${writesBottom}" stroke="#b8c0c8"/>`,
  );

  // Probe band: runs of equal state, gaps (no probe for a while) left blank.
  out.push(`<text x="12" y="${probeTop + 12}" font-weight="600">probe</text>`);
  out.push(`<rect x="${LEFT}" y="${probeTop}" width="${PLOT_W}" height="${PROBE_H}" fill="#f3f5f7"/>`);
  const intervals = probes
    .slice(1)
    .map((p, i) => p.t - (probes[i]?.t ?? p.t))
    .sort((a, b) => a - b);
  const typical = intervals[Math.floor(intervals.length / 2)] ?? 1000;
  let run: { ok: boolean; start: number; end: number; count: number; error?: string } | undefined;
  const flush = () => {
    if (!run) return;
    const x0 = x(run.start);
    const w = Math.max(0.8, x(run.end) - x0);
    const tip = `probe ${run.ok ? 'ok' : 'failing'} ${tickLabel(run.start - origin)} to ${tickLabel(run.end - origin)} (${run.count} probe${run.count === 1 ? '' : 's'})${run.error ? `; last error: ${redact(run.error)}` : ''}`;
    out.push(
      `<rect x="${n(x0)}" y="${probeTop}" width="${n(w)}" height="${PROBE_H}" fill="${run.ok ? CHART_COLORS.acked : CHART_COLORS.failed}"><title>${escapeText(tip)}</title></rect>`,
    );
    run = undefined;
  };
  probes.forEach((p, i) => {
    const next = probes[i + 1];
    const end = next && next.t - p.t <= typical * 5 ? next.t : p.t + Math.max(typical, p.latencyMs);
    if (run && run.ok === p.ok && p.t - run.end <= 1e-9) {
      run.end = end;
      run.count += 1;
      if (p.error) run.error = p.error;
    } else {
      flush();
      run = { ok: p.ok, start: p.t, end, count: 1, ...(p.error ? { error: p.error } : {}) };
    }
  });
  flush();

  // Steps lane.
  out.push(`<text x="12" y="${stepsTop + 13}" font-weight="600">step</text>`);
  steps.forEach((s, i) => {
    if (s.kind !== 'step') return;
    const end = steps[i + 1]?.t ?? d1;
    if (end < d0 || s.t > d1) return;
    const x0 = x(s.t);
    const w = Math.max(0.8, x(end) - x0);
    out.push(
      `<rect x="${n(x0)}" y="${stepsTop}" width="${n(w)}" height="${STEPS_H}" fill="${i % 2 ? '#dfe4ea' : '#eceff3'}"><title>${escapeText(`${s.name}: ${tickLabel(s.t - origin)} to ${tickLabel(end - origin)}`)}</title></rect>`,
    );
    if (textWidth(s.name, 11) + 6 < w) {
      out.push(
        `<text x="${n(x0 + 4)}" y="${stepsTop + 13}" font-size="11" fill="${CHART_COLORS.muted}">${escapeText(s.name)}</text>`,
      );
    }
  });

  // X axis, relative to the fault (0 = injected) so RTO can be read off the axis.
  const tick = chooseTick(span);
  out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${axisY}" y2="${axisY}" stroke="#b8c0c8"/>`);
  for (let v = Math.ceil((d0 - origin) / tick) * tick; origin + v <= d1; v += tick) {
    const tx = x(origin + v);
    out.push(
      `<line x1="${n(tx)}" x2="${n(tx)}" y1="${axisY}" y2="${axisY + 5}" stroke="#8a949e"/>`,
      `<text x="${n(tx)}" y="${axisY + 18}" text-anchor="middle" fill="${CHART_COLORS.muted}" font-size="11"${v === 0 ? ' font-weight="700"' : ''}>${escapeText(tickLabel(v))}</text>`,
    );
  }
  out.push(
    `<text x="${LEFT + PLOT_W / 2}" y="${axisY + 34}" text-anchor="middle" fill="${CHART_COLORS.muted}" font-size="11">${injected ? 'time since the fault was injected' : 'time since the scenario started'}</text>`,
  );

  // Markers and their labels.
  for (const p of placed) {
    const mx = x(p.m.t);
    const top = p.row >= 0 ? labelsTop + p.row * LABEL_ROW_H + 13 : writesTop;
    out.push(
      `<g class="marker ${p.m.kind}"><title>${escapeText(redact(p.m.title))}</title>` +
        `<line x1="${n(mx)}" x2="${n(mx)}" y1="${top + 3}" y2="${stepsTop + STEPS_H}" stroke="${p.m.color}" stroke-width="${p.m.width ?? 1.3}"${p.m.dash ? ` stroke-dasharray="${p.m.dash}"` : ''}/>` +
        (p.row >= 0
          ? `<text class="marker-label" x="${n(p.anchorEnd ? mx - 4 : mx + 4)}" y="${top}" text-anchor="${p.anchorEnd ? 'end' : 'start'}" fill="${p.m.color}" font-weight="600" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeText(redact(p.m.label))}</text>`
          : '') +
        `</g>`,
    );
  }

  // RTO bracket from injection to recovery.
  if (injected && recoveryT !== undefined && rto !== undefined) {
    const x0 = x(injected.t);
    const x1 = x(recoveryT);
    const label = `RTO ${formatDuration(rto)}`;
    const fits = x1 - x0 > textWidth(label, 12, true) + 16;
    out.push(
      `<g stroke="${CHART_COLORS.recovery}" stroke-width="1.5"><line x1="${n(x0)}" x2="${n(x1)}" y1="${bracketY}" y2="${bracketY}"/>` +
        `<line x1="${n(x0)}" x2="${n(x0)}" y1="${bracketY - 5}" y2="${bracketY + 5}"/><line x1="${n(x1)}" x2="${n(x1)}" y1="${bracketY - 5}" y2="${bracketY + 5}"/></g>`,
      `<text x="${n(fits ? (x0 + x1) / 2 : x1 + 6)}" y="${bracketY - 4}" text-anchor="${fits ? 'middle' : 'start'}" fill="${CHART_COLORS.recovery}" font-weight="700" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeText(label)}</text>`,
    );
  }

  out.push('</svg>');
  return out.join('\n');
}

/** 1, 2, 5 × 10^k at or above `v`, so the y axis has round numbers. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
