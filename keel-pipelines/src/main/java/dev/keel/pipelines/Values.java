package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.ParameterType;
import java.math.BigDecimal;

/** Parameter values as KFP passes them: JSON values, printed and parsed by parameter type. */
final class Values {
  private Values() {}

  /**
   * The text a placeholder expands to: strings raw, numbers without a trailing {@code .0} (as Go's
   * {@code FormatFloat(v, 'f', -1)}), booleans {@code true}/{@code false}, lists and structs as
   * compact JSON.
   */
  static String text(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "";
    }
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isNumber()) {
      if (value.isIntegralNumber()) {
        return value.bigIntegerValue().toString();
      }
      double d = value.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return Double.toString(d);
      }
      BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
      return bd.scale() < 0 ? bd.setScale(0).toPlainString() : bd.toPlainString();
    }
    if (value.isBoolean()) {
      return value.booleanValue() ? "true" : "false";
    }
    return Json.write(value);
  }

  /**
   * Parses what a component wrote to an output parameter file, by the parameter's type.
   *
   * @throws IllegalArgumentException naming the type when the text does not parse
   */
  static JsonNode parse(ParameterType type, String text) {
    ParameterType t = type == null ? ParameterType.STRING : type;
    String s = t == ParameterType.STRING ? text : text.strip();
    try {
      return switch (t) {
        case STRING -> TextNode.valueOf(text);
        case NUMBER_INTEGER -> LongNode.valueOf(new BigDecimal(s).longValueExact());
        case NUMBER_DOUBLE -> DoubleNode.valueOf(Double.parseDouble(s));
        case BOOLEAN -> {
          if (s.equalsIgnoreCase("true") || s.equals("1")) {
            yield BooleanNode.TRUE;
          }
          if (s.equalsIgnoreCase("false") || s.equals("0")) {
            yield BooleanNode.FALSE;
          }
          throw new IllegalArgumentException("not a boolean");
        }
        case LIST, STRUCT, TASK_FINAL_STATUS, TASK_CONFIG -> {
          JsonNode node = Json.parse(s);
          if (t == ParameterType.LIST && !node.isArray()) {
            throw new IllegalArgumentException("not a JSON list");
          }
          if (t != ParameterType.LIST && !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
          }
          yield node;
        }
        case PARAMETER_TYPE_ENUM_UNSPECIFIED -> TextNode.valueOf(text);
      };
    } catch (RuntimeException e) {
      String shown = s.length() > 60 ? s.substring(0, 60) + "…" : s;
      throw new IllegalArgumentException("'" + shown + "' is not a valid " + t, e);
    }
  }

  /** Integral doubles (KFP writes {@code 200.0} for integer defaults) become integers. */
  static JsonNode normalise(ParameterType type, JsonNode value) {
    if (type == ParameterType.NUMBER_INTEGER
        && value != null
        && value.isNumber()
        && !value.isIntegralNumber()) {
      double d = value.doubleValue();
      if (d == Math.rint(d)) {
        return LongNode.valueOf((long) d);
      }
    }
    return value;
  }

  static JsonNodeFactory nodes() {
    return JsonNodeFactory.instance;
  }
}
