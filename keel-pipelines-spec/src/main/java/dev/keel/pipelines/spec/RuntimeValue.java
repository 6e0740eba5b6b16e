package dev.keel.pipelines.spec;

import com.fasterxml.jackson.databind.JsonNode;

/** A constant value ({@code constantValue} is the deprecated typed form). */
public record RuntimeValue(JsonNode constant, JsonNode constantValue) {}
