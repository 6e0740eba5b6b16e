#!/usr/bin/env bash
# Per-step overhead of a local DAG engine: Keel against GNU make and Snakemake on the same DAG of
# N no-op steps with fan-out/fan-in (start -> s1..sN -> end). Each step touches one file.
# Per-step overhead = (T(N) - T(1)) / (N - 1), medians of RUNS runs, so start-up cancels out.
# Every run gets a fresh folder and nothing is deleted until the end: on ext4 without a journal,
# files made just after thousands were deleted cost several times more (the inode allocator skips
# recently freed inodes), which would charge one tool for the clean-up of the run before it.
# Usage: bench/dag.sh [N]    (N defaults to 200; RUNS=7, J=cores)
set -euo pipefail
N=${1:-200}
RUNS=${RUNS:-7}
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

# T(1) and T(N) of each tool given run by turns, RUNS rounds, Keel's and make's in the same rounds,
# so that a machine whose speed drifts (other work, a file system still catching up on deletions)
# charges them alike; one line per tool: "wall(1) cpu(1) wall(N) cpu(N)", medians.
by_turns() { # once-function... (each times run n of round r)
  local r n f t i
  for ((r = 0; r < RUNS; r++)); do
    i=0
    for f in "$@"; do
      for n in 1 "$N"; do
        t=$("$f" "$n" "$r") || exit 1
        echo "$i $n $t"
      done
      i=$((i + 1))
    done
  done > "$W/turns"
  for ((i = 0; i < $#; i++)); do
    awk -v i="$i" '$1 == i {print $2, $3, $4}' "$W/turns" | medians_by_n
  done
}

keel_once() { # n r
  timed "$repo/keel" run "$W/dag-$1.yaml" --data-dir "$W/keel-data-$1-$2" --parallelism "$J"
}

make_once() { # n r
  mkdir "$W/make-$1-$2" && cd "$W/make-$1-$2" && timed make -s -j"$J" -f "$W/Makefile.$1"
}

smk_once() { # n r
  mkdir "$W/smk-$1-$2" && cp "$W/smk/Snakefile" "$W/smk-$1-$2/" && cd "$W/smk-$1-$2" \
    && timed snakemake -c"$J" --quiet all --config n="$1"
}

time_keel_and_make() {
  gen_keel_dag 1 "$W/dag-1.yaml"
  gen_keel_dag "$N" "$W/dag-$N.yaml"
  gen_make 1 "$W/Makefile.1"
  gen_make "$N" "$W/Makefile.$N"
  # one untimed run of each first: it starts the Keel daemon that `./keel run` hands runs to, as
  # a user's first run after a build does (docs/daemon.md), and brings both tools into the cache
  (keel_once 1 warm-up && make_once 1 warm-up) > /dev/null || exit 1
  by_turns keel_once make_once
}

time_snakemake() {
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
  by_turns smk_once
}

per_step() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN {printf "%.3f", (b - a) / (n - 1)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }

echo "DAG start -> $N steps -> end; $RUNS runs each of T(1) and T($N), by turns; medians; -j$J"
time_keel_and_make > "$W/keel-make"
{ read -r k1 kc1 kn kcn; read -r m1 mc1 mn mcn; } < "$W/keel-make"
echo "keel      T(1)=${k1} ms  T($N)=${kn} ms  cpu ${kc1} ms, ${kcn} ms"
echo "make      T(1)=${m1} ms  T($N)=${mn} ms  cpu ${mc1} ms, ${mcn} ms"
if command -v snakemake > /dev/null; then
  RUNS=$(( RUNS < 3 ? RUNS : 3 ))
  read -r s1 sc1 sn scn <<< "$(time_snakemake)"
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
