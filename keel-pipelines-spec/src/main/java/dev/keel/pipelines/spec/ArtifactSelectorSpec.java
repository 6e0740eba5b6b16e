package dev.keel.pipelines.spec;

/** Selects an output artifact of a subtask. */
public record ArtifactSelectorSpec(String producerSubtask, String outputArtifactKey) {}
