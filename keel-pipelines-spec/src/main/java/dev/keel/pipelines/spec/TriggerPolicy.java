package dev.keel.pipelines.spec;

/** When a task runs: a CEL condition and an upstream strategy, ANDed. */
public record TriggerPolicy(String condition, TriggerStrategy strategy) {}
