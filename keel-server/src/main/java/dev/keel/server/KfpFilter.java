package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * KFP's list filter: the {@code filter} query parameter, JSON of {@code {"predicates": [...]}}, all
 * ANDed, each {@code {key, operation, <value>}} with the operation by name or number and one of
 * {@code string_value}, {@code int_value}, {@code long_value}, {@code timestamp_value} or, for IN,
 * {@code string_values}/{@code int_values}/{@code long_values} (camelCase accepted too). A filter
 * is matched against the resource's own JSON, so it sees what the client sees.
 */
final class KfpFilter {
  enum Op {
    EQUALS,
    NOT_EQUALS,
    GREATER_THAN,
    GREATER_THAN_EQUALS,
    LESS_THAN,
    LESS_THAN_EQUALS,
    IN,
    IS_SUBSTRING
  }

  record Predicate(String key, Op op, List<JsonNode> values) {}

  private final List<Predicate> predicates;

  private KfpFilter(List<Predicate> predicates) {
    this.predicates = List.copyOf(predicates);
  }

  static final KfpFilter NONE = new KfpFilter(List.of());

  boolean isEmpty() {
    return predicates.isEmpty();
  }

  List<Predicate> predicates() {
    return predicates;
  }

  /** Parses {@code text}, refusing keys outside {@code keys}; errors name the predicate. */
  static KfpFilter parse(String text, Set<String> keys) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    JsonNode root;
    try {
      root = Json.parse(text);
    } catch (RuntimeException e) {
      throw ApiError.badRequest("filter", "not JSON: " + e.getMessage());
    }
    if (!root.isObject()) {
      throw ApiError.badRequest("filter", "must be an object with 'predicates'");
    }
    List<Predicate> out = new ArrayList<>();
    JsonNode list = root.path("predicates");
    for (int i = 0; i < list.size(); i++) {
      JsonNode p = list.get(i);
      String at = "filter.predicates[" + i + "]";
      String key = p.path("key").asText("");
      if (!keys.contains(key)) {
        throw ApiError.badRequest(
            at + ".key",
            "'" + key + "' cannot be filtered on; use one of " + new java.util.TreeSet<>(keys));
      }
      Op op = op(p.path("operation"), at);
      List<JsonNode> values = new ArrayList<>();
      JsonNode single =
          first(
              p,
              "string_value",
              "stringValue",
              "int_value",
              "intValue",
              "long_value",
              "longValue",
              "timestamp_value",
              "timestampValue");
      JsonNode many =
          first(
              p,
              "string_values",
              "stringValues",
              "int_values",
              "intValues",
              "long_values",
              "longValues");
      if (op == Op.IN) {
        if (many == null || !many.path("values").isArray()) {
          throw ApiError.badRequest(at, "IN needs string_values, int_values or long_values");
        }
        many.path("values").forEach(values::add);
      } else {
        if (single == null) {
          throw ApiError.badRequest(
              at, "no value (string_value, int_value, long_value or timestamp_value)");
        }
        values.add(single);
      }
      out.add(new Predicate(key, op, values));
    }
    return new KfpFilter(out);
  }

  private static JsonNode first(JsonNode p, String... names) {
    for (String n : names) {
      if (p.has(n)) {
        return p.get(n);
      }
    }
    return null;
  }

  private static Op op(JsonNode n, String at) {
    if (n.isInt()) {
      return switch (n.asInt()) {
        case 1 -> Op.EQUALS;
        case 2 -> Op.NOT_EQUALS;
        case 3 -> Op.GREATER_THAN;
        case 5 -> Op.GREATER_THAN_EQUALS;
        case 6 -> Op.LESS_THAN;
        case 7 -> Op.LESS_THAN_EQUALS;
        case 8 -> Op.IN;
        case 9 -> Op.IS_SUBSTRING;
        default -> throw ApiError.badRequest(at + ".operation", "unknown operation " + n.asInt());
      };
    }
    try {
      return Op.valueOf(n.asText("").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(at + ".operation", "unknown operation '" + n.asText() + "'");
    }
  }

  /** Whether the resource (its KFP JSON) matches every predicate. */
  boolean matches(JsonNode resource) {
    for (Predicate p : predicates) {
      if (!matches(resource.get(p.key()), p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(JsonNode field, Predicate p) {
    String actual = field == null || field.isNull() ? "" : field.asText();
    return switch (p.op()) {
      case EQUALS -> compare(actual, p.values().get(0)) == 0;
      case NOT_EQUALS -> compare(actual, p.values().get(0)) != 0;
      case GREATER_THAN -> compare(actual, p.values().get(0)) > 0;
      case GREATER_THAN_EQUALS -> compare(actual, p.values().get(0)) >= 0;
      case LESS_THAN -> compare(actual, p.values().get(0)) < 0;
      case LESS_THAN_EQUALS -> compare(actual, p.values().get(0)) <= 0;
      case IN -> p.values().stream().anyMatch(v -> compare(actual, v) == 0);
      case IS_SUBSTRING -> actual.contains(p.values().get(0).asText());
    };
  }

  /** Numbers as numbers, RFC 3339 times as instants, else text. */
  private static int compare(String actual, JsonNode wanted) {
    String w = wanted.asText();
    Instant a = instant(actual);
    Instant b = instant(w);
    if (a != null && b != null) {
      return a.compareTo(b);
    }
    if (a != null && wanted.canConvertToLong()) {
      return Long.compare(a.getEpochSecond(), wanted.asLong());
    }
    try {
      return Double.compare(Double.parseDouble(actual), Double.parseDouble(w));
    } catch (NumberFormatException e) {
      return actual.compareTo(w);
    }
  }

  private static Instant instant(String s) {
    if (s.length() < 20 || s.charAt(4) != '-' || s.charAt(10) != 'T') {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
