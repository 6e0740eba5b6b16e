package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Selectors of which exactly one must have produced a value. */
public record OneofParameterSelectors(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ParameterSelectorSpec> parameterSelectors) {
  public OneofParameterSelectors {
    parameterSelectors = Spec.list(parameterSelectors);
  }
}
