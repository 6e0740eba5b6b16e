package dev.keel.pipelines.spec;

import com.fasterxml.jackson.databind.JsonNode;

/** An importer executor: brings an existing artifact URI into the run. */
public record ImporterSpec(
    ValueOrRuntimeParameter artifactUri,
    ArtifactTypeSchema typeSchema,
    JsonNode metadata,
    Boolean reimport,
    Boolean downloadToWorkspace) {}
