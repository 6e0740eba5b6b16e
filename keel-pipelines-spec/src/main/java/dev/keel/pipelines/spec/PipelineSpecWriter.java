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

  /**
   * The PipelineSpec as a JSON tree: keys sorted, absent fields and empty collections left out.
   *
   * @param spec the pipeline
   * @return the tree, as KFP would write it
   */
  public static JsonNode toTree(PipelineSpec spec) {
    return sorted(TREE.valueToTree(spec));
  }

  /**
   * The PlatformSpec as a JSON tree: keys sorted, absent fields and empty collections left out.
   *
   * @param platform the platform configuration
   * @return the tree, as KFP would write it
   */
  public static JsonNode toTree(PlatformSpec platform) {
    return sorted(TREE.valueToTree(platform));
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
    InputsSpec in = root == null ? null : root.inputDefinitions();
    if (in != null && (!in.parameters().isEmpty() || !in.artifacts().isEmpty())) {
      sb.append("# Inputs:\n");
      for (Map.Entry<String, ParameterSpec> e : in.parameters().entrySet()) {
        ParameterSpec p = e.getValue();
        sb.append("#    ")
            .append(e.getKey())
            .append(": ")
            .append(p == null ? null : p.parameterType());
        if (p != null && p.defaultValue() != null) {
          sb.append(" [Default: ").append(p.defaultValue()).append(']');
        }
        sb.append('\n');
      }
      in.artifacts()
          .forEach(
              (name, a) ->
                  sb.append("#    ")
                      .append(name)
                      .append(": ")
                      .append(a == null ? null : title(a.artifactType()))
                      .append('\n'));
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

  private static String title(ArtifactTypeSchema t) {
    return t == null || t.schemaTitle() == null ? "system.Artifact" : t.schemaTitle();
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
      node.properties().forEach(e -> fields.put(e.getKey(), sorted(e.getValue())));
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
