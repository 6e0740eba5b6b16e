# Shared by the bench scripts: timing helpers and generators of benchmark pipelines.

# --- timing (a script sets W, its work folder, before it calls timed)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Runs a command (its output to $W/out) and prints its wall and CPU milliseconds, the CPU being
# user + system time of the command and every process it waited for (the steps' own included),
# and of the Keel daemons (`./keel run` hands its run to one; see docs/daemon.md) while it ran.
timed() {
  local TIMEFORMAT='%3R %3U %3S' t d0 d1
  d0=$(daemon_cpu_ms)
  t=$( { time "$@" > "$W/out" 2>&1; } 2>&1 ) || { cat "$W/out" >&2; return 1; }
  d1=$(daemon_cpu_ms)
  awk -v t="$t" -v d=$((d1 - d0)) 'BEGIN {split(t, a, " "); printf "%.0f %.0f\n", a[1] * 1000, (a[2] + a[3]) * 1000 + d}'
}

# CPU milliseconds used so far by this user's Keel daemons and the tasks they ran and reaped.
daemon_cpu_ms() {
  local pid ticks=0 hz
  hz=$(getconf CLK_TCK)
  for pid in $(pgrep -u "$(id -u)" -f 'dev[.]keel[.]cli[.]Daemon' || true); do
    # utime stime cutime cstime: fields 14-17 of /proc/PID/stat, counted after the ")" of its name
    ticks=$((ticks + $(sed 's/.*) //' "/proc/$pid/stat" 2> /dev/null | awk '{print $12 + $13 + $14 + $15}' || echo 0)))
  done
  echo $((ticks * 1000 / hz))
}

# Lines of "wall cpu" -> "median-wall median-cpu".
medians() {
  local all; all=$(cat)
  echo "$(cut -d' ' -f1 <<< "$all" | median) $(cut -d' ' -f2 <<< "$all" | median)"
}

# Lines of "n wall cpu" for two values of n, the smaller first -> "wall cpu" medians of the
# smaller n, then of the larger.
medians_by_n() {
  local all; all=$(cat)
  local n
  for n in $(cut -d' ' -f1 <<< "$all" | sort -nu); do
    awk -v n="$n" '$1 == n {print $2, $3}' <<< "$all" | medians
  done | paste -sd' '
}

# --- the DAG as a KFP pipeline for Keel
gen_keel_dag() { # n file
  local n=$1 f=$2
  {
    echo "pipelineInfo: {name: dag-$n}"
    echo "schemaVersion: 2.1.0"
    echo "components:"
    echo "  comp-step:"
    echo "    executorLabel: exec-step"
    echo "    outputDefinitions: {artifacts: {out: {artifactType: {schemaTitle: system.Artifact, schemaVersion: 0.0.1}}}}"
    echo "deploymentSpec:"
    echo "  executors:"
    echo "    exec-step: {container: {image: alpine, command: [touch, \"{{\$.outputs.artifacts['out'].path}}\"]}}"
    echo "root:"
    echo "  dag:"
    echo "    tasks:"
    echo "      start: {componentRef: {name: comp-step}, cachingOptions: {}}"
    local deps=""
    for ((i = 1; i <= n; i++)); do
      echo "      s$i: {componentRef: {name: comp-step}, dependentTasks: [start], cachingOptions: {}}"
      deps="$deps${deps:+, }s$i"
    done
    echo "      end: {componentRef: {name: comp-step}, dependentTasks: [$deps], cachingOptions: {}}"
  } > "$f"
}


# --- a ParallelFor over N items, each a no-op task, at most P iterations at once
gen_keel_loop() { # n p file
  local n=$1 p=$2 f=$3
  {
    echo "pipelineInfo: {name: loop-$n}"
    echo "schemaVersion: 2.1.0"
    echo "components:"
    echo "  comp-for-loop-1:"
    echo "    inputDefinitions: {parameters: {item: {parameterType: NUMBER_INTEGER}}}"
    echo "    dag: {tasks: {step: {componentRef: {name: comp-step}, cachingOptions: {}, inputs: {parameters: {x: {componentInputParameter: item}}}}}}"
    echo "  comp-step:"
    echo "    executorLabel: exec-step"
    echo "    inputDefinitions: {parameters: {x: {parameterType: NUMBER_INTEGER}}}"
    echo "deploymentSpec:"
    echo "  executors:"
    echo "    exec-step: {container: {image: alpine, command: [\"true\", \"{{\$.inputs.parameters['x']}}\"]}}"
    echo "root:"
    echo "  dag:"
    echo "    tasks:"
    echo "      for-loop-1:"
    echo "        componentRef: {name: comp-for-loop-1}"
    printf '        parameterIterator: {itemInput: item, items: {raw: "['
    seq -s, 1 "$n" | tr -d '\n'
    echo ']"}}'
    echo "        iteratorPolicy: {parallelismLimit: $p}"
  } > "$f"
}
