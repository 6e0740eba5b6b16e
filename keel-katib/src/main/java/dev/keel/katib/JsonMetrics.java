package dev.keel.katib;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.keel.core.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Katib's File collector in JSON format ({@code parseLogsInJsonFormat}): one JSON object per line,
 * as cloudml-hypertune writes them, e.g. {@code {"acc": "0.9349", "global_step": "0", "timestamp":
 * 1638422847.28721, "trial": "0"}}.
 *
 * <ul>
 *   <li>Blank lines are skipped; a line that is not one JSON object fails the whole read, with its
 *       line number.
 *   <li>For each requested name, {@code obj[name]} gives a value when it is a JSON string (as is)
 *       or, unlike Katib, which drops them, a JSON number: an integer literal as its digits, any
 *       other number as Python's {@code str(float)}. Other JSON types are ignored.
 *   <li>The timestamp is key {@code timestamp}: an RFC 3339 string (fraction and offset allowed) or
 *       epoch seconds as a number; missing or unreadable gives {@link Instant#EPOCH}. Unlike Katib,
 *       a fraction is read as a fraction ({@code .28721} is 287.21 ms, not 28.721 µs).
 *   <li>The step is {@code step}, else {@code global_step} (an integral number or a string holding
 *       an integer); without either, the per-name running count 1, 2, ... as {@link Metrics#parse}
 *       gives.
 * </ul>
 */
public final class JsonMetrics {
  private JsonMetrics() {}

  private static final ObjectReader READER =
      Json.json().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The values of {@code names} in {@code lines}, in order (per line, in {@code names} order). */
  public static List<Metrics.Point> parse(List<String> lines, List<String> names) {
    List<Metrics.Point> out = new ArrayList<>();
    Map<String, Integer> counts = new HashMap<>();
    int lineNo = 0;
    for (String line : lines) {
      lineNo++;
      if (line == null || line.isBlank()) {
        continue;
      }
      JsonNode obj;
      try {
        obj = READER.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "metrics line " + lineNo + " is not valid JSON: " + e.getOriginalMessage(), e);
      }
      if (obj == null || !obj.isObject()) {
        throw new IllegalArgumentException(
            "metrics line "
                + lineNo
                + " is not a JSON object but "
                + (obj == null ? "nothing" : obj.getNodeType().toString().toLowerCase()));
      }
      Instant ts = timestamp(obj.get("timestamp"));
      Integer explicit = step(obj.get("step"));
      if (explicit == null) {
        explicit = step(obj.get("global_step"));
      }
      for (String name : names) {
        String value = value(obj.get(name));
        if (value == null) {
          continue;
        }
        int count = counts.merge(name, 1, Integer::sum);
        out.add(new Metrics.Point(name, value, ts, explicit != null ? explicit : count));
      }
    }
    return out;
  }

  private static String value(JsonNode v) {
    if (v == null) {
      return null;
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isIntegralNumber()) {
      return v.bigIntegerValue().toString();
    }
    if (v.isNumber()) {
      return pyRepr(v.doubleValue());
    }
    return null;
  }

  private static Instant timestamp(JsonNode t) {
    if (t == null) {
      return Instant.EPOCH;
    }
    if (t.isTextual()) {
      try {
        return OffsetDateTime.parse(t.textValue().trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
            .toInstant();
      } catch (DateTimeParseException e) {
        return Instant.EPOCH;
      }
    }
    if (t.isNumber()) {
      try {
        BigDecimal s =
            t.isFloatingPointNumber() ? BigDecimal.valueOf(t.doubleValue()) : t.decimalValue();
        BigDecimal whole = s.setScale(0, RoundingMode.FLOOR);
        long nanos =
            s.subtract(whole)
                .movePointRight(9)
                .setScale(0, RoundingMode.HALF_EVEN)
                .longValueExact();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
      } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
        return Instant.EPOCH;
      }
    }
    return Instant.EPOCH;
  }

  private static Integer step(JsonNode s) {
    if (s == null) {
      return null;
    }
    BigDecimal d;
    try {
      if (s.isTextual()) {
        d = new BigDecimal(s.textValue().trim());
      } else if (s.isNumber()) {
        d = s.isFloatingPointNumber() ? BigDecimal.valueOf(s.doubleValue()) : s.decimalValue();
      } else {
        return null;
      }
      return d.intValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  // ---- Python float formatting -------------------------------------------------------------

  /**
   * Python's {@code str(float)} ({@code repr}): the shortest digits that read back as {@code v},
   * positional for exponents -4 to 15 ({@code 0.0001}, {@code 10000000.0}), else scientific ({@code
   * 1e-05}, {@code 1e+16}); {@code nan}, {@code inf}, {@code -0.0}.
   */
  static String pyRepr(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0.0" : "0.0";
    }
    BigDecimal d =
        shortest(new BigDecimal(v), 17, c -> c.doubleValue() == v); // exact value, then shorten
    int exp = d.precision() - d.scale() - 1;
    return layout(d, exp >= -4 && exp < 16);
  }

  /**
   * NumPy's {@code str} of a float32 scalar (what Katib stores, through {@code
   * str(tf.make_ndarray(...))}): the shortest digits that read back as the float32 {@code v},
   * positional for 1e-4 &le; |v| &lt; 1e6 ({@code 0.9}, {@code 999999.0}), else scientific ({@code
   * 1e+06}, {@code 1e-04} for the float32 nearest 0.0001, which lies below it).
   */
  static String npRepr32(float v) {
    if (Float.isNaN(v)) {
      return "nan";
    }
    if (Float.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0.0" : "0.0";
    }
    BigDecimal d = shortest(new BigDecimal(v), 9, c -> c.floatValue() == v);
    double abs = Math.abs((double) v);
    return layout(d, abs >= 1e-4 && abs < 1e6);
  }

  /**
   * The shortest decimal that {@code readsBack} accepts, the closest to {@code exact} among those.
   * Some decimal of {@code max} digits always reads back, and if one of p digits does, so does one
   * of p + 1: a binary search finds the shortest length.
   */
  private static BigDecimal shortest(BigDecimal exact, int max, Predicate<BigDecimal> readsBack) {
    int lo = 1;
    int hi = max;
    BigDecimal found = closest(exact, max, readsBack);
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      BigDecimal c = closest(exact, mid, readsBack);
      if (c != null) {
        hi = mid;
        found = c;
      } else {
        lo = mid + 1;
      }
    }
    return found.stripTrailingZeros();
  }

  /** The closest decimal of {@code digits} significant digits that reads back, or null. */
  private static BigDecimal closest(BigDecimal exact, int digits, Predicate<BigDecimal> readsBack) {
    BigDecimal best = null;
    for (RoundingMode m :
        new RoundingMode[] {RoundingMode.HALF_EVEN, RoundingMode.FLOOR, RoundingMode.CEILING}) {
      BigDecimal c = exact.round(new MathContext(digits, m));
      if (readsBack.test(c)
          && (best == null || c.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
        best = c;
      }
    }
    return best;
  }

  /** Python's layout of a nonzero decimal: positional with a {@code .0} at least, or d.ddde±XX. */
  private static String layout(BigDecimal d, boolean positional) {
    String sign = d.signum() < 0 ? "-" : "";
    BigInteger unscaled = d.unscaledValue().abs();
    String digits = unscaled.toString();
    int exp = digits.length() - d.scale() - 1; // d = digits[0].digits[1..] x 10^exp
    StringBuilder b = new StringBuilder(sign);
    if (positional) {
      if (exp < 0) {
        b.append("0.").append("0".repeat(-exp - 1)).append(digits);
      } else if (digits.length() <= exp + 1) {
        b.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
      } else {
        b.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
      }
    } else {
      b.append(digits.charAt(0));
      if (digits.length() > 1) {
        b.append('.').append(digits, 1, digits.length());
      }
      int a = Math.abs(exp);
      b.append('e').append(exp < 0 ? '-' : '+').append(a < 10 ? "0" : "").append(a);
    }
    return b.toString();
  }
}
