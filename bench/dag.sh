#!/usr/bin/env bash
# Per-step overhead of a local DAG engine: Keel against GNU make and Snakemake on the same DAG of
# N no-op steps with fan-out/fan-in (start -> s1..sN -> end). Each step touches one file.
# Per-step overhead = (T(N) - T(1)) / (N - 1), medians of RUNS runs, so start-up cancels out.
# Every run gets a fresh folder and nothing is deleted until the end: on ext4 without a journal,
# files made just after thousands were deleted cost several times more (the inode allocator skips
# recently freed inodes), which would charge one tool for the clean-up of the run before it.
# Usage: bench/dag.sh [N]    (N defaults to 200; RUNS=5, J=cores)
set -euo pipefail
N=${1:-200}
RUNS=${RUNS:-5}
J=${J:-$(nproc)}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
"$repo/keel" --version > /dev/null   # builds the jar if it is missing or stale
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-dag.XXXX)
trap 'rm -rf "$W"' EXIT
source "$here/lib.sh"

# --- the same DAG for make
gen_make() { # n file
  local n=$1 f=$2
  {
    echo ".PHONY: all"; echo "all: out/end"
    echo "out/start:"; printf '\t@mkdir -p out && touch $@\n'
    local deps=""
    for ((i = 1; i <= n; i++)); do echo "out/s$i: out/start"; printf '\t@touch $@\n'; deps="$deps out/s$i"; done
    echo "out/end:$deps"; printf '\t@touch $@\n'
  } > "$f"
}

time_keel() { # n -> median ms
  local n=$1
  local f="$W/dag-$n.yaml"
  gen_keel_dag "$n" "$f"
  for ((r = 0; r < RUNS; r++)); do
    timed "$repo/keel" run "$f" --data-dir "$W/keel-data-$n-$r" --parallelism "$J" || exit 1
  done | medians
}

time_make() {
  local n=$1
  local f="$W/Makefile.$n"
  gen_make "$n" "$f"
  for ((r = 0; r < RUNS; r++)); do
    mkdir "$W/make-$n-$r"
    (cd "$W/make-$n-$r" && timed make -s -j"$J" -f "$f") || exit 1
  done | medians
}

time_snakemake() {
  local n=$1
  mkdir -p "$W/smk"
  cat > "$W/smk/Snakefile" <<'SMK'
N = int(config["n"])
rule all:
    input: "out/end"
rule start:
    output: "out/start"
    shell: "touch {output}"
rule step:
    input: "out/start"
    output: "out/s_{i}"
    shell: "touch {output}"
rule end:
    input: expand("out/s_{i}", i=range(N))
    output: "out/end"
    shell: "touch {output}"
SMK
  for ((r = 0; r < RUNS; r++)); do
    mkdir "$W/smk-$n-$r" && cp "$W/smk/Snakefile" "$W/smk-$n-$r/"
    (cd "$W/smk-$n-$r" && timed snakemake -c"$J" --quiet all --config n="$n") || exit 1
  done | medians
}

per_step() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN {printf "%.3f", (b - a) / (n - 1)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }

echo "DAG start -> $N steps -> end; $RUNS runs each, medians; -j$J"
a=$(time_keel 1); b=$(time_keel "$N"); read -r k1 kc1 <<< "$a"; read -r kn kcn <<< "$b"
echo "keel      T(1)=${k1} ms  T($N)=${kn} ms  cpu ${kc1} ms, ${kcn} ms"
a=$(time_make 1); b=$(time_make "$N"); read -r m1 mc1 <<< "$a"; read -r mn mcn <<< "$b"
echo "make      T(1)=${m1} ms  T($N)=${mn} ms  cpu ${mc1} ms, ${mcn} ms"
if command -v snakemake > /dev/null; then
  RUNS=$(( RUNS < 3 ? RUNS : 3 ))
  a=$(time_snakemake 1); b=$(time_snakemake "$N"); read -r s1 sc1 <<< "$a"; read -r sn scn <<< "$b"
  echo "snakemake T(1)=${s1} ms  T($N)=${sn} ms  cpu ${sc1} ms, ${scn} ms"
  smk=$(per_step "$s1" "$sn"); smk_cpu=$(per_step "$sc1" "$scn")
else
  echo "snakemake not installed (apt-get install snakemake); its column is n/a" >&2
  smk=n/a; smk_cpu=n/a
fi
keel=$(per_step "$k1" "$kn"); make=$(per_step "$m1" "$mn")
# what a step costs the machine (user + system CPU, the step's own process included): on a
# machine whose cores the steps keep busy, this is what the wall time per step follows
echo "cpu-per-step N=$N keel_ms=$(per_step "$kc1" "$kcn") make_ms=$(per_step "$mc1" "$mcn") snakemake_ms=$smk_cpu"
echo "dag-overhead N=$N keel_ms=$keel make_ms=$make snakemake_ms=$smk keel/make=$(ratio "$keel" "$make") keel/snakemake=$( [ "$smk" = n/a ] && echo n/a || ratio "$keel" "$smk")"
