package dev.keel.pipelines.spec;

/** The items of an artifact iterator. */
public record ArtifactItemsSpec(String inputArtifact) {}
