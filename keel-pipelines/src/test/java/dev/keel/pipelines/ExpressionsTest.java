package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionsTest {
  @Test
  void kfp_conditions_as_the_sdk_writes_them() {
    var heads =
        Map.of(
            "pipelinechannel--flip-coin-Output",
            (com.fasterxml.jackson.databind.JsonNode) TextNode.valueOf("heads"));
    assertThat(
            Expressions.condition(
                "inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads'", heads))
        .isTrue();
    assertThat(
            Expressions.condition(
                "!(inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads') && inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'tails'",
                heads))
        .isFalse();
    var n = Map.of("x", (com.fasterxml.jackson.databind.JsonNode) IntNode.valueOf(7));
    assertThat(Expressions.condition("int(inputs.parameter_values['x']) > 5", n)).isTrue();
    assertThat(Expressions.condition("double(inputs.parameter_values['x']) < 2.5", n)).isFalse();
    var status = Map.of("status", Json.parse("{\"state\": \"FAILED\"}"));
    assertThat(
            Expressions.condition("inputs.parameter_values['status']['state'] == 'FAILED'", status))
        .isTrue();
  }

  @Test
  void selectors_parse_json_items() {
    assertThat(
            Expressions.select(
                    "parseJson(string_value)[\"A_a\"]",
                    Json.parse("{\"A_a\": \"1\", \"B_b\": \"2\"}"))
                .asText())
        .isEqualTo("1");
    assertThat(Expressions.select("parseJson(string_value)[1]", Json.parse("[10, 20]")).asLong())
        .isEqualTo(20);
  }

  @Test
  void broken_and_non_boolean_expressions_are_named() {
    assertThatThrownBy(
            () ->
                Expressions.condition(
                    "inputs.parameter_values['x'] ==", Map.of("x", TextNode.valueOf("a"))))
        .hasMessageContaining("does not compile");
    assertThatThrownBy(() -> Expressions.condition("inputs.parameter_values['x'] == 'a'", Map.of()))
        .hasMessageContaining("reads input 'x', which has no value");
    assertThatThrownBy(() -> Expressions.condition("'yes'", Map.of()))
        .hasMessageContaining("not a boolean");
  }
}
