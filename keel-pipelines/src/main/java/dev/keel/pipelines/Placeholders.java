package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands KFP placeholders in a container's command and args (kfp.md B.8, B.10): plain {@code
 * {{$...}}} references anywhere in a string, and the JSON placeholders {@code IfPresent} and {@code
 * Concat}, which expand to zero or more argv entries. Nothing here goes through a shell.
 */
final class Placeholders {
  private static final Pattern REF = Pattern.compile("\\{\\{\\$(?:\\.([^{}]*))?\\}\\}");
  private static final Pattern SUBSCRIPT =
      Pattern.compile("^(inputs|outputs)\\.(parameters|artifacts)\\[['\"]([^'\"]+)['\"]\\](.*)$");
  private static final Pattern METADATA_KEY =
      Pattern.compile("^\\.metadata\\[['\"]([^'\"]+)['\"]\\]$");

  /** What placeholders resolve against. */
  interface Scope {
    Map<String, JsonNode> parameters();

    Map<String, List<ArtifactRef>> inputArtifacts();

    Map<String, ArtifactRef> outputArtifacts();

    Map<String, String> outputParameterFiles();

    String outputFile();

    String executorInput();

    /** Runtime values such as {@code pipeline_job_uuid}; {@code null} when unknown. */
    String runtime(String name);

    /** Whether input artifact {@code name} is declared as a list ({@code isArtifactList}). */
    default boolean isArtifactList(String name) {
      return false;
    }
  }

  private Placeholders() {}

  /** Expands every argv element; JSON placeholders may add or remove elements. */
  static List<String> expandArgv(List<String> argv, Scope scope) {
    List<String> out = new ArrayList<>(argv.size());
    for (String element : argv) {
      String trimmed = element.strip();
      if (trimmed.startsWith("{")
          && (trimmed.contains("\"IfPresent\"") || trimmed.contains("\"Concat\""))) {
        JsonNode node;
        try {
          node = Json.json().readTree(trimmed);
        } catch (Exception e) {
          out.add(expand(element, scope));
          continue;
        }
        expandNode(node, scope, out);
      } else {
        out.add(expand(element, scope));
      }
    }
    return out;
  }

  private static void expandNode(JsonNode node, Scope scope, List<String> out) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isTextual()) {
      String text = node.textValue();
      String trimmed = text.strip();
      if (trimmed.startsWith("{")
          && (trimmed.contains("\"IfPresent\"") || trimmed.contains("\"Concat\""))) {
        try {
          expandNode(Json.json().readTree(trimmed), scope, out);
          return;
        } catch (Exception ignored) {
          // a literal string that only looks like JSON
        }
      }
      out.add(expand(text, scope));
      return;
    }
    if (node.isArray()) {
      node.forEach(n -> expandNode(n, scope, out));
      return;
    }
    if (node.isObject() && node.has("IfPresent")) {
      JsonNode spec = node.get("IfPresent");
      String input = spec.path("InputName").asText();
      boolean present = isPresent(input, scope);
      expandNode(present ? spec.get("Then") : spec.get("Else"), scope, out);
      return;
    }
    if (node.isObject() && node.has("Concat")) {
      List<String> parts = new ArrayList<>();
      expandNode(node.get("Concat"), scope, parts);
      out.add(String.join("", parts));
      return;
    }
    if (node.isValueNode()) {
      out.add(expand(node.asText(), scope));
      return;
    }
    throw new PlaceholderException("unsupported placeholder " + Json.write(node));
  }

  private static boolean isPresent(String input, Scope scope) {
    JsonNode v = scope.parameters().get(input);
    if (v != null) {
      return !v.isNull();
    }
    List<ArtifactRef> a = scope.inputArtifacts().get(input);
    return a != null && !a.isEmpty();
  }

  /** Replaces every {@code {{$...}}} reference in one string. */
  static String expand(String text, Scope scope) {
    if (text.indexOf("{{$") < 0) {
      return text;
    }
    Matcher m = REF.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(resolve(m.group(1), scope)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String resolve(String expr, Scope scope) {
    if (expr == null) {
      return scope.executorInput();
    }
    if (expr.equals("outputs.output_file")) {
      return scope.outputFile();
    }
    Matcher m = SUBSCRIPT.matcher(expr);
    if (m.matches()) {
      String direction = m.group(1);
      String kind = m.group(2);
      String name = m.group(3);
      String rest = m.group(4);
      if (direction.equals("inputs") && kind.equals("parameters") && rest.isEmpty()) {
        JsonNode v = scope.parameters().get(name);
        if (v == null) {
          throw new PlaceholderException("input parameter '" + name + "' has no value");
        }
        return Values.text(v);
      }
      if (direction.equals("outputs") && kind.equals("parameters") && rest.equals(".output_file")) {
        String file = scope.outputParameterFiles().get(name);
        if (file == null) {
          throw new PlaceholderException("no output parameter '" + name + "'");
        }
        return file;
      }
      if (kind.equals("artifacts")) {
        ArtifactRef a;
        if (direction.equals("inputs")) {
          List<ArtifactRef> list = scope.inputArtifacts().get(name);
          if (list == null || list.isEmpty()) {
            throw new PlaceholderException("input artifact '" + name + "' has no value");
          }
          if (rest.isEmpty() && (list.size() > 1 || scope.isArtifactList(name))) {
            com.fasterxml.jackson.databind.node.ArrayNode all = Json.json().createArrayNode();
            list.forEach(r -> all.add(r.toProgramJson()));
            return Json.write(all);
          }
          a = list.get(0);
        } else {
          a = scope.outputArtifacts().get(name);
          if (a == null) {
            throw new PlaceholderException("no output artifact '" + name + "'");
          }
        }
        if (rest.equals(".uri")) {
          return LocalPaths.forProgram(a.uri());
        }
        if (rest.equals(".path")) {
          return a.path();
        }
        if (rest.equals(".metadata")) {
          return Json.write(a.metadata());
        }
        Matcher mk = METADATA_KEY.matcher(rest);
        if (mk.matches()) {
          return Values.text(a.metadata().get(mk.group(1)));
        }
        if (rest.isEmpty()) {
          return Json.write(a.toProgramJson());
        }
      }
    }
    String runtime = scope.runtime(expr);
    if (runtime != null) {
      return runtime;
    }
    throw new PlaceholderException("unsupported placeholder {{$." + expr + "}}");
  }

  /** A placeholder that cannot be resolved; fails the task with its message. */
  static final class PlaceholderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PlaceholderException(String message) {
      super(message, null, false, false);
    }
  }
}
