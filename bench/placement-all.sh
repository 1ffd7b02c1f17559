#!/usr/bin/env bash
# Every fault on every placement (issue 12): `pxchaos run --placement all` on the lab, then one line
# per fault × placement with its verdict, RTO and failed/unknown writes (and pgbench transactions
# acknowledged/lost where the results carry them), read from the run's result files.
#
#   bench/placement-all.sh [REPORT_DIR] [-- extra pxchaos run flags]
#
# 4 faults × 3 placements = 12 scenarios, ~15 min on the 2-core dev machine (bystander is refused
# on the lab in seconds: every lab node holds a copy). The run's exit code is not this script's: a
# failed check is a figure to report, not a reason to stop. Leaves the lab up.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${1:-$(mktemp -d "${TMPDIR:-/tmp}/pxchaos-placement-XXXXXX")}"
[ "$#" -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift

started=$(date +%s)
status=0
node bin/pxchaos.js run --target lab --placement all --report-dir "$dir" "$@" || status=$?
echo "pxchaos run exited ${status} after $(($(date +%s) - started)) s; results in ${dir}" >&2
npx tsx bench/placement-table.ts "$dir"
