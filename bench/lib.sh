# Shared by the bench scripts: generators of benchmark pipelines.

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
