package dev.keel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import java.util.List;

/**
 * KFP placeholders for container commands and args, as the exact strings KFP's compiler writes:
 * {@code {{$.inputs.parameters['x']}}}, {@code {{$.outputs.parameters['y'].output_file}}}, and the
 * JSON placeholders {@code Concat} and {@code IfPresent}.
 */
public final class Placeholders {
  private Placeholders() {}

  /** The value of input parameter {@code name}. */
  public static String inputValue(String name) {
    return "{{$.inputs.parameters['" + name + "']}}";
  }

  /** The local path of input artifact {@code name}. */
  public static String inputPath(String name) {
    return "{{$.inputs.artifacts['" + name + "'].path}}";
  }

  /** The URI of input artifact {@code name}. */
  public static String inputUri(String name) {
    return "{{$.inputs.artifacts['" + name + "'].uri}}";
  }

  /** The local path to write output artifact {@code name} to. */
  public static String outputPath(String name) {
    return "{{$.outputs.artifacts['" + name + "'].path}}";
  }

  /** The URI of output artifact {@code name}. */
  public static String outputUri(String name) {
    return "{{$.outputs.artifacts['" + name + "'].uri}}";
  }

  /** The file to write output parameter {@code name} to. */
  public static String outputParameterFile(String name) {
    return "{{$.outputs.parameters['" + name + "'].output_file}}";
  }

  /** The file to write KFP's executor output JSON to. */
  public static String executorOutputFile() {
    return "{{$.outputs.output_file}}";
  }

  /** The whole executor input as JSON. */
  public static String executorInput() {
    return "{{$}}";
  }

  /**
   * One argv entry made of the parts joined; parts may be placeholders. KFP's {@code
   * ConcatPlaceholder}: {@code {"Concat": ["prefix-", "{{$.inputs.parameters['x']}}"]}}.
   *
   * @throws IllegalArgumentException when there are no parts
   */
  public static String concat(String... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("concat needs at least one part");
    }
    ObjectNode n = Json.json().createObjectNode();
    ArrayNode items = n.putArray("Concat");
    for (String p : parts) {
      items.add(p);
    }
    return pythonJson(n);
  }

  /**
   * {@code then} when optional input {@code inputName} has a value, nothing otherwise. KFP's {@code
   * IfPresentPlaceholder} without {@code else_}.
   */
  public static String ifPresent(String inputName, List<String> then) {
    return ifPresent(inputName, then, null);
  }

  /**
   * {@code then} when optional input {@code inputName} has a value, else {@code otherwise}; each
   * expands to zero or more argv entries. KFP's {@code IfPresentPlaceholder}: {@code {"IfPresent":
   * {"InputName": "x", "Then": [...], "Else": [...]}}}; an empty or null {@code otherwise} is left
   * out.
   */
  public static String ifPresent(String inputName, List<String> then, List<String> otherwise) {
    java.util.Objects.requireNonNull(inputName, "inputName");
    java.util.Objects.requireNonNull(then, "then");
    ObjectNode n = Json.json().createObjectNode();
    ObjectNode body = n.putObject("IfPresent");
    body.put("InputName", inputName);
    ArrayNode t = body.putArray("Then");
    then.forEach(t::add);
    if (otherwise != null && !otherwise.isEmpty()) {
      ArrayNode e = body.putArray("Else");
      otherwise.forEach(e::add);
    }
    return pythonJson(n);
  }

  /**
   * JSON as Python's {@code json.dumps} writes it (KFP's compiler): {@code ", "} and {@code ": "}.
   */
  static String pythonJson(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(node, sb);
    return sb.toString();
  }

  private static void write(JsonNode node, StringBuilder sb) {
    if (node.isObject()) {
      sb.append('{');
      boolean first = true;
      for (var e : node.properties()) {
        sb.append(first ? "" : ", ").append(Json.write(e.getKey())).append(": ");
        write(e.getValue(), sb);
        first = false;
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        sb.append(i == 0 ? "" : ", ");
        write(node.get(i), sb);
      }
      sb.append(']');
    } else {
      sb.append(Json.write(node));
    }
  }
}
