#!/usr/bin/env bash
# The floor under Keel's per-step overhead on this machine: a bare JVM (same flags as ./keel)
# launching N no-op `touch` processes J at a time, each with its log file, as the local runtime
# does, but with no store and no engine; against GNU make -jJ touching the same N files. Per-step =
# (T(N) - T(1)) / (N - 1), medians of RUNS runs, every run in a fresh folder (see dag.sh).
# Usage: bench/spawn-floor.sh [N]   (N defaults to 200; RUNS=5, J=cores)
set -euo pipefail
N=${1:-200}
RUNS=${RUNS:-5}
J=${J:-$(nproc)}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-floor.XXXX)
trap 'rm -rf "$W"' EXIT
source "$here/lib.sh"

javac -d "$W/classes" "$here/SpawnFloor.java"
time_jvm() { # n -> median wall and CPU ms, JVM start included (it cancels out)
  for ((r = 0; r < RUNS; r++)); do
    mkdir "$W/jvm-$1-$r"
    timed java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djdk.lang.Process.launchMechanism=VFORK \
      -cp "$W/classes" SpawnFloor "$1" "$J" "$W/jvm-$1-$r" || exit 1
  done | medians
}
time_make() {
  local f="$W/Makefile.$1"
  { echo "all:$(seq -f ' s%g' 1 "$1" | tr -d '\n')"; echo 's%:'; printf '\t@touch $@\n'; } > "$f"
  for ((r = 0; r < RUNS; r++)); do
    mkdir "$W/make-$1-$r"
    (cd "$W/make-$1-$r" && timed make -s -j"$J" -f "$f") || exit 1
  done | medians
}
per_step() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN {printf "%.3f", (b - a) / (n - 1)}'; }
a=$(time_jvm 1); b=$(time_jvm "$N"); read -r j1 jc1 <<< "$a"; read -r jn jcn <<< "$b"
a=$(time_make 1); b=$(time_make "$N"); read -r m1 mc1 <<< "$a"; read -r mn mcn <<< "$b"
echo "jvm  T(1)=${j1} ms  T($N)=${jn} ms  cpu ${jc1} ms, ${jcn} ms"
echo "make T(1)=${m1} ms  T($N)=${mn} ms  cpu ${mc1} ms, ${mcn} ms"
jvm=$(per_step "$j1" "$jn"); make=$(per_step "$m1" "$mn")
echo "cpu-per-step N=$N jvm_ms=$(per_step "$jc1" "$jcn") make_ms=$(per_step "$mc1" "$mcn")"
echo "spawn-floor N=$N jvm_ms=$jvm make_ms=$make jvm/make=$(awk -v a="$jvm" -v b="$make" 'BEGIN {printf "%.2f", a / b}')"
