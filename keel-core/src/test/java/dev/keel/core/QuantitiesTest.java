package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuantitiesTest {
  @Test
  void cpu_millicores_and_cores() {
    assertThat(Quantities.cpu("500m")).isEqualTo(0.5);
    assertThat(Quantities.cpu("2")).isEqualTo(2.0);
    assertThat(Quantities.cpu("0.25")).isEqualTo(0.25);
  }

  @Test
  void memory_binary_and_decimal_suffixes() {
    assertThat(Quantities.bytes("4Gi")).isEqualTo(4L << 30);
    assertThat(Quantities.bytes("512Mi")).isEqualTo(512L << 20);
    assertThat(Quantities.bytes("1G")).isEqualTo(1_000_000_000L);
    assertThat(Quantities.bytes("1024")).isEqualTo(1024L);
  }

  @Test
  void bad_quantity_names_the_text() {
    assertThatThrownBy(() -> Quantities.bytes("lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'lots' is not a memory quantity");
  }
}
