package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.ContainerSpec;
import dev.keel.pipelines.spec.OutputParameterSpec;
import dev.keel.pipelines.spec.OutputsSpec;
import dev.keel.pipelines.spec.ParameterType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FingerprintTest {
  static final ContainerSpec ECHO =
      new ContainerSpec(
          "alpine", List.of("echo"), List.of("{{$.inputs.parameters['x']}}"), null, null, null);
  static final OutputsSpec OUT =
      new OutputsSpec(Map.of("y", new OutputParameterSpec(ParameterType.STRING, null, null)), null);

  static String fp(Map<String, JsonNode> params) {
    return Fingerprint.of(params, Map.of(), OUT, ECHO);
  }

  @Test
  void same_inputs_in_any_order_give_the_same_fingerprint() {
    Map<String, JsonNode> a = new LinkedHashMap<>();
    a.put("x", TextNode.valueOf("1"));
    a.put("z", IntNode.valueOf(2));
    Map<String, JsonNode> b = new LinkedHashMap<>();
    b.put("z", IntNode.valueOf(2));
    b.put("x", TextNode.valueOf("1"));
    assertThat(fp(a)).isEqualTo(fp(b)).hasSize(64);
  }

  @Test
  void integral_doubles_and_integers_fingerprint_alike_as_in_protobuf() {
    assertThat(fp(Map.of("n", IntNode.valueOf(3))))
        .isEqualTo(fp(Map.of("n", DoubleNode.valueOf(3.0))));
  }

  @Test
  void inputs_command_and_image_change_the_fingerprint() {
    String base = fp(Map.of("x", TextNode.valueOf("1")));
    assertThat(fp(Map.of("x", TextNode.valueOf("2")))).isNotEqualTo(base);
    ContainerSpec other =
        new ContainerSpec("alpine:3", ECHO.command(), ECHO.args(), null, null, null);
    assertThat(Fingerprint.of(Map.of("x", TextNode.valueOf("1")), Map.of(), OUT, other))
        .isNotEqualTo(base);
    ArtifactRef a =
        new ArtifactRef(
            "id-1", "data", "file:///a", "system.Dataset", "0.0.1", Json.json().createObjectNode());
    ArtifactRef b =
        new ArtifactRef(
            "id-2", "data", "file:///a", "system.Dataset", "0.0.1", Json.json().createObjectNode());
    assertThat(Fingerprint.of(Map.of(), Map.of("d", List.of(a)), OUT, ECHO))
        .isNotEqualTo(Fingerprint.of(Map.of(), Map.of("d", List.of(b)), OUT, ECHO));
  }

  @Test
  void canonical_json_is_sorted_compact_and_html_escaped_like_go() {
    JsonNode n = Json.parse("{\"b\": [1, 2.5, \"<&>\"], \"a\": {\"d\": true, \"c\": null}}");
    assertThat(Fingerprint.canonical(n))
        .isEqualTo("{\"a\":{\"c\":null,\"d\":true},\"b\":[1,2.5,\"\\u003c\\u0026\\u003e\"]}");
  }

  @Test
  void cache_key_fingerprint_is_sha256_of_component_and_key() {
    assertThat(Fingerprint.ofCacheKey("comp-a", "k"))
        .isEqualTo(Fingerprint.sha256("comp-a\u0000k"))
        .isNotEqualTo(Fingerprint.ofCacheKey("comp-b", "k"));
  }

  @Test
  void placeholder_text_follows_kfp_formatting() {
    assertThat(Values.text(DoubleNode.valueOf(3.0))).isEqualTo("3");
    assertThat(Values.text(DoubleNode.valueOf(0.25))).isEqualTo("0.25");
    assertThat(Values.text(Json.parse("{\"a\": [1, true]}"))).isEqualTo("{\"a\":[1,true]}");
    assertThat(Values.parse(ParameterType.NUMBER_INTEGER, "42\n").asLong()).isEqualTo(42);
    assertThat(Values.parse(ParameterType.STRING, "keep  spaces\n").asText())
        .isEqualTo("keep  spaces\n");
  }
}
