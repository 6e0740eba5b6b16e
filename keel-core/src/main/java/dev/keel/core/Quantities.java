package dev.keel.core;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities as they appear in KFP and Kubeflow files: CPU as {@code "500m"} or
 * {@code "2"}, memory as {@code "4Gi"}, {@code "512M"} or a plain number of bytes.
 */
public final class Quantities {
  private static final Pattern QUANTITY =
      Pattern.compile(
          "^([+]?[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(m|k|K|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$");

  private Quantities() {}

  /**
   * CPU cores in a quantity: {@code "500m"} is 0.5, {@code "2"} is 2.
   *
   * @throws IllegalArgumentException when the text is not a CPU quantity
   */
  public static double cpu(String text) {
    return parse(text, "CPU").doubleValue();
  }

  /**
   * Bytes in a memory quantity: {@code "4Gi"} is 4·2^30, {@code "1G"} is 10^9.
   *
   * @throws IllegalArgumentException when the text is not a memory quantity
   */
  public static long bytes(String text) {
    return parse(text, "memory").longValue();
  }

  private static BigDecimal parse(String text, String what) {
    Matcher m = QUANTITY.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a " + what + " quantity (examples: 500m, 2, 512Mi, 4Gi)");
    }
    BigDecimal number = new BigDecimal(m.group(1));
    String suffix = m.group(2);
    return suffix == null ? number : number.multiply(multiplier(suffix));
  }

  private static BigDecimal multiplier(String suffix) {
    return switch (suffix) {
      case "m" -> new BigDecimal("0.001");
      case "k", "K" -> BigDecimal.TEN.pow(3);
      case "M" -> BigDecimal.TEN.pow(6);
      case "G" -> BigDecimal.TEN.pow(9);
      case "T" -> BigDecimal.TEN.pow(12);
      case "P" -> BigDecimal.TEN.pow(15);
      case "E" -> BigDecimal.TEN.pow(18);
      case "Ki" -> BigDecimal.valueOf(2).pow(10);
      case "Mi" -> BigDecimal.valueOf(2).pow(20);
      case "Gi" -> BigDecimal.valueOf(2).pow(30);
      case "Ti" -> BigDecimal.valueOf(2).pow(40);
      case "Pi" -> BigDecimal.valueOf(2).pow(50);
      case "Ei" -> BigDecimal.valueOf(2).pow(60);
      default -> throw new IllegalStateException(suffix);
    };
  }
}
