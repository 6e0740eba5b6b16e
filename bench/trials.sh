#!/usr/bin/env bash
# What a Katib trial costs beyond its own process: `keel apply` of an Experiment whose trials print
# one metric (`sh -c 'echo loss=<x>'`), N trials (200) one at a time, against the same process run
# N times by the shell. Per-trial overhead = (T_keel(N) - T_keel(1)) / (N - 1) - T_shell(N) / N,
# so JVM start-up and the process itself cancel out: what is left is suggest + launch + collect +
# record.
# Usage: bench/trials.sh [N]
set -euo pipefail
N=${1:-200}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
"$repo/keel" --version > /dev/null   # builds the jar if it is missing or stale
W=$(mktemp -d "${TMPDIR:-/tmp}"/keel-trials.XXXX)
trap 'rm -rf "$W"' EXIT
now_ms() { date +%s%3N; }

experiment() { # name trials file
  cat > "$3" <<YAML
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: $1}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random, algorithmSettings: [{name: random_state, value: "1"}]}
  parallelTrialCount: 1
  maxTrialCount: $2
  parameters:
  - {name: x, parameterType: int, feasibleSpace: {min: "1", max: "1000000"}}
  trialTemplate:
    primaryContainerName: main
    trialParameters: [{name: x, reference: x}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
            - {name: main, image: alpine, command: [sh, -c, 'echo loss=\$0', '\${trialParameters.x}']}
YAML
}

time_keel() { # trials -> ms
  experiment "t$1" "$1" "$W/t$1.yaml"
  local t0; t0=$(now_ms)
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$repo/keel-cli/target/keel.jar" \
    apply -f "$W/t$1.yaml" --data-dir "$W/data-$1" > "$W/out-$1.txt" 2>&1 || { cat "$W/out-$1.txt" >&2; exit 1; }
  echo $(( $(now_ms) - t0 ))
}
k1=$(time_keel 1)
kn=$(time_keel "$N")
t0=$(now_ms)
for ((i = 0; i < N; i++)); do sh -c 'echo loss=$0' "$i" > /dev/null; done
shell=$(( $(now_ms) - t0 ))
echo "keel apply: 1 trial ${k1} ms, $N trials ${kn} ms; the process alone, $N times: ${shell} ms"
awk -v a="$k1" -v b="$kn" -v s="$shell" -v n="$N" \
  'BEGIN {printf "trial-overhead ms_per_trial=%.2f\n", (b - a) / (n - 1) - s / n}'
