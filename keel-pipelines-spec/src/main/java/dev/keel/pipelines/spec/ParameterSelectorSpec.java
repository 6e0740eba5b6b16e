package dev.keel.pipelines.spec;

/** Selects an output parameter of a subtask. */
public record ParameterSelectorSpec(String producerSubtask, String outputParameterKey) {}
