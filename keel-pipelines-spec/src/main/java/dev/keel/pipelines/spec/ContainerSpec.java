package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A container executor. {@code command} and {@code args} may hold placeholders and JSON placeholder
 * objects ({@code IfPresent}, {@code Concat}) as strings.
 */
public record ContainerSpec(
    String image,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> command,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> args,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<EnvVar> env,
    ResourceSpec resources,
    JsonNode lifecycle) {
  public ContainerSpec {
    command = Spec.list(command);
    args = Spec.list(args);
    env = Spec.list(env);
  }
}
