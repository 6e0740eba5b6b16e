#!/usr/bin/env bash
# Listing runs in a namespace that holds many: seeds RUNS_N (100,000) finished runs into a fresh
# SQLite store, starts `keel server` on it, and times REQUESTS (200) list calls as the KFP UI and
# kfp.Client make them (first pages, deep pages by page token, a state filter), after a warm-up.
# Usage: bench/list-runs.sh [RUNS_N] [REQUESTS]
set -euo pipefail
N=${1:-100000}
REQUESTS=${2:-200}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
"$repo/keel" --version > /dev/null   # builds the jar if it is missing or stale
jar="$repo/keel-cli/target/keel.jar"
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-list.XXXX)
server=""
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$W"' EXIT

t0=$(date +%s)
java -cp "$jar" "$here/ListRuns.java" seed "$W/data" "$N"
echo "seeded $N runs in $(( $(date +%s) - t0 )) s"
java -jar "$jar" server --port 0 --token bench-token --data-dir "$W/data" > "$W/server.out" 2>&1 &
server=$!
for _ in $(seq 1 200); do grep -q "ready at" "$W/server.out" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$W/server.out" | head -1)
read -r p50 p95 max < <(java -cp "$jar" "$here/ListRuns.java" time "$base" bench-token "$REQUESTS")
echo "$REQUESTS list requests, page size 10-20: p50 ${p50} ms, p95 ${p95} ms, max ${max} ms"
echo "list-runs runs=$N p50_ms=$p50 p95_ms=$p95"
