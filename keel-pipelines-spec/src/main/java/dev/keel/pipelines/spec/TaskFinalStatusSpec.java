package dev.keel.pipelines.spec;

/** The final status of a task, for exit handlers. */
public record TaskFinalStatusSpec(String producerTask) {}
