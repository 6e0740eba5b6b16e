package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.ContainerSpec;
import dev.keel.pipelines.spec.OutputArtifactSpec;
import dev.keel.pipelines.spec.OutputParameterSpec;
import dev.keel.pipelines.spec.OutputsSpec;
import dev.keel.pipelines.spec.ParameterType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * KFP's cache fingerprint of a task (kfp.md A.4): with a {@code cacheKey}, {@code
 * sha256(componentName + "\0" + cacheKey)}; otherwise the sha256 of the {@code CacheKey} message
 * (input artifact ids, input parameter values, output specs, image and unresolved command line) as
 * sorted compact JSON.
 */
final class Fingerprint {
  private Fingerprint() {}

  static String ofCacheKey(String componentName, String cacheKey) {
    return sha256(componentName + "\u0000" + cacheKey);
  }

  static String of(
      Map<String, JsonNode> parameters,
      Map<String, List<ArtifactRef>> inputArtifacts,
      OutputsSpec outputs,
      ContainerSpec container) {
    ObjectNode key = Json.json().createObjectNode();
    if (!inputArtifacts.isEmpty()) {
      ObjectNode names = key.putObject("inputArtifactNames");
      inputArtifacts.forEach(
          (name, refs) -> {
            ArrayNode list = names.putObject(name).putArray("artifactNames");
            refs.forEach(r -> list.add(r.id()));
          });
    }
    if (!parameters.isEmpty()) {
      ObjectNode values = key.putObject("inputParameterValues");
      parameters.forEach(values::set);
    }
    if (outputs != null && !outputs.artifacts().isEmpty()) {
      ObjectNode spec = key.putObject("outputArtifactsSpec");
      for (Map.Entry<String, OutputArtifactSpec> e : outputs.artifacts().entrySet()) {
        ObjectNode a = spec.putObject(e.getKey());
        ObjectNode type = a.putObject("type");
        if (e.getValue().artifactType() != null) {
          putIfSet(type, "schemaTitle", e.getValue().artifactType().schemaTitle());
          putIfSet(type, "schemaVersion", e.getValue().artifactType().schemaVersion());
        }
        if (e.getValue().metadata() != null && !e.getValue().metadata().isEmpty()) {
          a.set("metadata", e.getValue().metadata());
        }
      }
    }
    if (outputs != null && !outputs.parameters().isEmpty()) {
      ObjectNode spec = key.putObject("outputParametersSpec");
      for (Map.Entry<String, OutputParameterSpec> e : outputs.parameters().entrySet()) {
        ParameterType t = e.getValue().parameterType();
        spec.put(e.getKey(), t == null ? "PARAMETER_TYPE_ENUM_UNSPECIFIED" : t.name());
      }
    }
    ObjectNode c = key.putObject("containerSpec");
    putIfSet(c, "image", container.image());
    List<String> cmdArgs = new ArrayList<>(container.command());
    cmdArgs.addAll(container.args());
    if (!cmdArgs.isEmpty()) {
      ArrayNode arr = c.putArray("cmdArgs");
      cmdArgs.forEach(arr::add);
    }
    return sha256(canonical(key));
  }

  private static void putIfSet(ObjectNode n, String field, String value) {
    if (value != null && !value.isEmpty()) {
      n.put(field, value);
    }
  }

  /** JSON as Go's encoding/json writes a decoded map: sorted keys, compact, HTML-escaped. */
  static String canonical(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(node, sb);
    return sb.toString();
  }

  private static void write(JsonNode node, StringBuilder sb) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      node.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(e.getKey(), sb);
        sb.append(':');
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(node.get(i), sb);
      }
      sb.append(']');
    } else if (node.isTextual()) {
      string(node.textValue(), sb);
    } else if (node.isNumber()) {
      sb.append(Values.text(node));
    } else {
      sb.append(node.toString());
    }
  }

  private static void string(String s, StringBuilder sb) {
    String json = Json.write(s);
    sb.append(json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"));
  }

  static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
