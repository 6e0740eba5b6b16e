#!/usr/bin/env bash
# The floor under Keel's per-step overhead on this machine: a bare JVM (same flags as ./keel)
# launching N no-op `touch` processes J at a time, each with its log file, as the local runtime does, but
# with no store and no engine; against GNU make -jJ touching the same N files. Per-step =
# (T(N) - T(1)) / (N - 1), medians of RUNS runs, every run in a fresh folder (see dag.sh).
# Usage: bench/spawn-floor.sh [N]   (N defaults to 200; RUNS=5, J=cores)
set -euo pipefail
N=${1:-200}
RUNS=${RUNS:-5}
J=${J:-$(nproc)}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-floor.XXXX)
trap 'rm -rf "$W"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now_ms() { date +%s%3N; }

javac -d "$W/classes" "$here/SpawnFloor.java"
time_jvm() { # n -> median ms, JVM start included (it cancels out)
  for ((r = 0; r < RUNS; r++)); do
    mkdir "$W/jvm-$1-$r"
    local t0; t0=$(now_ms)
    java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djdk.lang.Process.launchMechanism=VFORK \
      -cp "$W/classes" SpawnFloor "$1" "$J" "$W/jvm-$1-$r" > /dev/null
    echo $(( $(now_ms) - t0 ))
  done | median
}
time_make() {
  local f="$W/Makefile.$1"
  { echo "all:$(seq -f ' s%g' 1 "$1" | tr -d '\n')"; echo 's%:'; printf '\t@touch $@\n'; } > "$f"
  for ((r = 0; r < RUNS; r++)); do
    mkdir "$W/make-$1-$r"
    (cd "$W/make-$1-$r" && t0=$(now_ms) && make -s -j"$J" -f "$f" && echo $(( $(now_ms) - t0 )))
  done | median
}
per_step() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN {printf "%.3f", (b - a) / (n - 1)}'; }
j1=$(time_jvm 1); jn=$(time_jvm "$N"); m1=$(time_make 1); mn=$(time_make "$N")
echo "jvm  T(1)=${j1} ms  T($N)=${jn} ms"
echo "make T(1)=${m1} ms  T($N)=${mn} ms"
jvm=$(per_step "$j1" "$jn"); make=$(per_step "$m1" "$mn")
echo "spawn-floor N=$N jvm_ms=$jvm make_ms=$make jvm/make=$(awk -v a="$jvm" -v b="$make" 'BEGIN {printf "%.2f", a / b}')"
