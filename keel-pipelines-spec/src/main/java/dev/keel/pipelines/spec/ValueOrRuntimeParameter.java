package dev.keel.pipelines.spec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A constant value or the name of a runtime parameter ({@code constantValue} is the deprecated
 * typed form).
 */
public record ValueOrRuntimeParameter(
    JsonNode constant, String runtimeParameter, JsonNode constantValue) {}
