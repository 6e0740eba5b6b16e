package dev.keel.pipelines.spec;

/** Name and description of a pipeline. */
public record PipelineInfo(String name, String displayName, String description) {}
