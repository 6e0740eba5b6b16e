#!/usr/bin/env bash
# A ParallelFor over ITEMS items (5,000) with parallelismLimit P (50), each a no-op task, run
# through `keel run --parallelism P`. Prints wall time and the most heap in use (from the GC log).
# Usage: bench/loop.sh [ITEMS] [P]
set -euo pipefail
N=${1:-5000}
P=${2:-50}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
"$repo/keel" --version > /dev/null   # builds the jar if it is missing or stale
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-loop.XXXX)
trap 'rm -rf "$W"' EXIT
source "$here/lib.sh"
gen_keel_loop "$N" "$P" "$W/loop.yaml"
t0=$(date +%s%3N)
set +e
KEEL_DAEMON=off KEEL_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:gc:file=$W/gc.log" \
  "$repo/keel" run "$W/loop.yaml" --data-dir "$W/data" --parallelism "$P" > "$W/out" 2>&1
code=$?
set -e
t1=$(date +%s%3N)
state=$(grep -oE 'run [0-9a-f-]{36} [A-Z]+' "$W/out" | tail -1 | awk '{print $3}')
heap=$(grep -oE '[0-9]+M->[0-9]+M' "$W/gc.log" | sed 's/M->.*//' | sort -n | tail -1)
tail -2 "$W/out"
echo "loop items=$N parallelism=$P seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1000}') heap_mb=${heap:-0} state=${state:-unknown} exit=$code"
