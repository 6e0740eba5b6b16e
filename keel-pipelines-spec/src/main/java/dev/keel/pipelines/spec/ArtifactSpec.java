package dev.keel.pipelines.spec;

/** An input artifact definition. */
public record ArtifactSpec(
    ArtifactTypeSchema artifactType,
    Boolean isArtifactList,
    Boolean isOptional,
    String description) {}
