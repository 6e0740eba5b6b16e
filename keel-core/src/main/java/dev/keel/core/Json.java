package dev.keel.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The shared JSON and YAML codecs. Both are configured once, are thread-safe, and write timestamps
 * as RFC 3339 strings.
 */
public final class Json {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .build();

  private static final ObjectMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                  .build())
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private Json() {}

  /** The JSON mapper. */
  public static ObjectMapper json() {
    return JSON;
  }

  /** The YAML mapper (YAML 1.1 through SnakeYAML, as Jackson reads it). */
  public static ObjectMapper yaml() {
    return YAML;
  }

  /** Compact JSON text of a value. */
  public static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Compact JSON text of a tree, the same text as {@link #write(Object)} gives. Trees of objects,
   * arrays, strings, integers, booleans and nulls, which is what Keel writes for every task, are
   * written directly: through the mapper, each call sets up a generator and looks up serializers,
   * which in a short run mostly goes through the interpreter. Any other node (a floating-point
   * number, say) goes through the mapper.
   */
  public static String write(JsonNode tree) {
    StringBuilder sb = new StringBuilder(128);
    return appendTree(sb, tree) ? sb.toString() : write((Object) tree);
  }

  /** Appends {@code node} as compact JSON; {@code false} when it holds a node written otherwise. */
  private static boolean appendTree(StringBuilder sb, JsonNode node) {
    if (node instanceof ObjectNode object) {
      sb.append('{');
      boolean first = true;
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!first) {
          sb.append(',');
        }
        first = false;
        appendString(sb, e.getKey());
        sb.append(':');
        if (!appendTree(sb, e.getValue())) {
          return false;
        }
      }
      sb.append('}');
      return true;
    }
    if (node instanceof ArrayNode array) {
      sb.append('[');
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        if (!appendTree(sb, array.get(i))) {
          return false;
        }
      }
      sb.append(']');
      return true;
    }
    if (node instanceof TextNode text) {
      appendString(sb, text.textValue());
      return true;
    }
    if (node instanceof IntNode || node instanceof LongNode || node instanceof ShortNode) {
      sb.append(node.longValue());
      return true;
    }
    if (node instanceof BooleanNode || node instanceof NullNode) {
      sb.append(node.asText());
      return true;
    }
    return false;
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** A JSON string, escaped as the mapper escapes it. */
  private static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Indented JSON text of a value. */
  public static String writePretty(Object value) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses JSON text into a tree.
   *
   * @throws ValidationException naming the line and column when the text is not JSON
   */
  public static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new ValidationException(
          new Problem(where, "not valid JSON: " + e.getOriginalMessage()));
    }
  }
}
