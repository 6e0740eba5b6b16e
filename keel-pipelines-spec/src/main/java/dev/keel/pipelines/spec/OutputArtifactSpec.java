package dev.keel.pipelines.spec;

import com.fasterxml.jackson.databind.JsonNode;

/** An output artifact definition. */
public record OutputArtifactSpec(
    ArtifactTypeSchema artifactType,
    Boolean isArtifactList,
    JsonNode metadata,
    String description) {}
