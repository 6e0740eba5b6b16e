package dev.keel.pipelines.spec;

/** Display information of a task. */
public record TaskInfo(String name) {}
