package dev.keel.pipelines;

import java.math.BigDecimal;
import java.time.Duration;

/** Protobuf Duration strings as KFP writes them: {@code "0s"}, {@code "3.5s"}, {@code "3600s"}. */
final class Durations {
  private Durations() {}

  static Duration parse(String text, Duration fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    String s = text.strip();
    if (!s.endsWith("s")) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s");
    }
    BigDecimal seconds = new BigDecimal(s.substring(0, s.length() - 1));
    return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
  }
}
