package dev.keel.pipelines.spec;

/** An artifact type, such as {@code system.Dataset} version {@code 0.0.1}. */
public record ArtifactTypeSchema(
    String schemaTitle, String schemaVersion, String instanceSchema, String schemaUri) {}
