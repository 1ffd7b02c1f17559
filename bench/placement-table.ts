/**
 * The table bench/placement-all.sh prints: one line per scenario result in a report directory,
 * fault × placement, with its verdict, RTO, failed/unknown writes, and pgbench transactions
 * acknowledged/lost when the results carry those metrics (issue 12 item 1, another branch).
 *
 *   npx tsx bench/placement-table.ts REPORT_DIR
 */
import { readResults } from '../lib/report/read-results.js';
import { formatDuration } from '../lib/time/duration.js';
import { PLACEMENTS } from '../lib/sut/placement.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npx tsx bench/placement-table.ts REPORT_DIR\n');
  process.exit(2);
}

const results = (await readResults(dir)).map((s) => s.result);
const placementRank = (p: string | undefined): number =>
  (PLACEMENTS as readonly string[]).indexOf(p ?? 'primary');
results.sort(
  (a, b) => a.scenario.localeCompare(b.scenario) || placementRank(a.placement) - placementRank(b.placement),
);
const withPgbench = results.some((r) => r.metrics.pgbench_tx_acked !== undefined);

const figure = (v: number | string | undefined): string => (v === undefined ? '-' : String(v));
const rto = (v: number | string | undefined): string =>
  typeof v === 'number' ? (Number.isFinite(v) ? formatDuration(v) : 'never') : figure(v);
/** pass / FAIL (n checks) / REFUSED (the placement has no node) / STOPPED (no check reached). */
function verdict(r: (typeof results)[number]): string {
  if (r.metrics.placement_refused !== undefined) return 'REFUSED';
  const failed = r.verdicts.filter((v) => !v.passed).length;
  if (r.verdicts.length === 0) return 'STOPPED';
  return failed === 0 ? 'pass' : `FAIL (${failed})`;
}

const header = [
  'fault',
  'placement',
  'node',
  'verdict',
  'RTO',
  'failed',
  'unknown',
  'lost',
  ...(withPgbench ? ['pgbench acked', 'pgbench lost'] : []),
];
const rows = results.map((r) => [
  r.scenario,
  r.placement ?? 'primary',
  r.metrics.fault_node === undefined
    ? '-'
    : `${String(r.metrics.fault_node)} (${String(r.metrics.fault_node_role ?? '?')})`,
  verdict(r),
  rto(r.metrics.rto_ms),
  figure(r.metrics.failed),
  figure(r.metrics.unknown),
  figure(r.metrics.lost_acked),
  ...(withPgbench ? [figure(r.metrics.pgbench_tx_acked), figure(r.metrics.pgbench_tx_lost)] : []),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
const line = (cells: readonly string[]): string =>
  `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
process.stdout.write(
  [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n') + '\n',
);
for (const r of results)
  if (r.metrics.placement_refused !== undefined)
    process.stdout.write(`${r.scenario} ${r.placement ?? ''}: ${String(r.metrics.placement_refused)}\n`);
