package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** An input parameter definition; {@code type} is the deprecated primitive type. */
public record ParameterSpec(
    ParameterType parameterType,
    JsonNode defaultValue,
    Boolean isOptional,
    String description,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> literals,
    String type) {
  public ParameterSpec {
    literals = Spec.list(literals);
  }
}
