package dev.keel.pipelines.spec;

/** An output artifact of a sibling task. */
public record TaskOutputArtifactSpec(String producerTask, String outputArtifactKey) {}
