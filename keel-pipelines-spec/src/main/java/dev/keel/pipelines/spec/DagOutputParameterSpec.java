package dev.keel.pipelines.spec;

/** A DAG output parameter: from one subtask, or from the one of several that ran (OneOf). */
public record DagOutputParameterSpec(
    ParameterSelectorSpec valueFromParameter, OneofParameterSelectors valueFromOneof) {}
