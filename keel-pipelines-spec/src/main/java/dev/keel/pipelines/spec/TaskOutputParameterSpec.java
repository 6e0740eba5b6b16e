package dev.keel.pipelines.spec;

/** An output parameter of a sibling task. */
public record TaskOutputParameterSpec(String producerTask, String outputParameterKey) {}
