#!/usr/bin/env bash
# A 10,000-task run under a 512 MiB heap: start -> s1..sN -> end through `keel run -Xmx512m`.
# Usage: bench/big-dag.sh [N]   (N defaults to 10000)
set -euo pipefail
N=${1:-10000}
J=${J:-$(nproc)}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
"$repo/keel" --version > /dev/null   # builds the jar if it is missing or stale
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-bigdag.XXXX)
trap 'rm -rf "$W"' EXIT
source "$here/lib.sh"
gen_keel_dag "$N" "$W/dag.yaml"
t0=$(date +%s%3N)
set +e
KEEL_DAEMON=off KEEL_JAVA_OPTS="-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC" /usr/bin/time -f '%M' -o "$W/rss" "$repo/keel" run "$W/dag.yaml" --data-dir "$W/data" --parallelism "$J" > "$W/out" 2>&1
code=$?
set -e
t1=$(date +%s%3N)
state=$(grep -oE 'run [0-9a-f-]{36} [A-Z]+' "$W/out" | tail -1 | awk '{print $3}')
tail -3 "$W/out"
echo "big-dag N=$N xmx=512m seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1000}') max_rss_mb=$(( $(cat "$W/rss") / 1024 )) state=${state:-unknown} exit=$code"
