package dev.keel.pipelines.spec;

/** Where an input artifact comes from. */
public record InputArtifactSpec(
    TaskOutputArtifactSpec taskOutputArtifact, String componentInputArtifact) {}
