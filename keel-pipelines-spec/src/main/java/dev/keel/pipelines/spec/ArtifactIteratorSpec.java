package dev.keel.pipelines.spec;

/** ParallelFor over a list of artifacts. */
public record ArtifactIteratorSpec(ArtifactItemsSpec items, String itemInput) {}
