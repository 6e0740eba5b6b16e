package dev.keel.pipelines.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes pipelines as the KFP SDK does: YAML with a comment header and keys sorted within each
 * mapping, the PlatformSpec as a second document; or JSON.
 */
public final class PipelineSpecWriter {
  private static final ObjectMapper TREE =
      JsonMapper.builder()
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private static final ObjectMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .build())
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private PipelineSpecWriter() {}

  /** The pipeline spec as a JSON tree with sorted keys and no absent fields. */
  public static JsonNode toTree(Object specOrPlatform) {
    return sorted(TREE.valueToTree(specOrPlatform));
  }

  /** KFP-style YAML: header comments, the PipelineSpec, then the PlatformSpec if any. */
  public static String toYaml(PipelineDocument doc) {
    StringBuilder sb = new StringBuilder();
    sb.append("# PIPELINE DEFINITION\n");
    sb.append("# Name: ").append(doc.name()).append('\n');
    PipelineInfo info = doc.spec().pipelineInfo();
    if (info != null && info.description() != null) {
      sb.append("# Description: ").append(info.description().replace("\n", " ")).append('\n');
    }
    ComponentSpec root = doc.spec().root();
    if (root != null
        && root.inputDefinitions() != null
        && !root.inputDefinitions().parameters().isEmpty()) {
      sb.append("# Inputs:\n");
      for (Map.Entry<String, ParameterSpec> e : root.inputDefinitions().parameters().entrySet()) {
        sb.append("#    ").append(e.getKey()).append(": ").append(e.getValue().parameterType());
        if (e.getValue().defaultValue() != null) {
          sb.append(" [Default: ").append(e.getValue().defaultValue()).append(']');
        }
        sb.append('\n');
      }
    }
    sb.append(yaml(toTree(doc.spec())));
    if (doc.platform() != null) {
      sb.append("---\n").append(yaml(toTree(doc.platform())));
    }
    return sb.toString();
  }

  /** The PipelineSpec as JSON (a JSON file holds no PlatformSpec, as in KFP). */
  public static String toJson(PipelineDocument doc) {
    try {
      return TREE.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(doc.spec()));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String yaml(JsonNode tree) {
    try {
      return YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      var out = TREE.createObjectNode();
      java.util.TreeMap<String, JsonNode> fields = new java.util.TreeMap<>();
      node.fields().forEachRemaining(e -> fields.put(e.getKey(), sorted(e.getValue())));
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      var out = TREE.createArrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    return node;
  }
}
