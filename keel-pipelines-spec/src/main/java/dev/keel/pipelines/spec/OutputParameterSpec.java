package dev.keel.pipelines.spec;

/** An output parameter definition. */
public record OutputParameterSpec(ParameterType parameterType, String description, String type) {}
