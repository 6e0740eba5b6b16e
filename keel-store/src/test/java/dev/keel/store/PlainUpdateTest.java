package dev.keel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlainUpdateTest {
  @Test
  void namedParametersBecomePositionalInOrder() {
    var p = PlainUpdate.parse("UPDATE t SET a = :a, b = :b_2 WHERE id = :id AND c = :a");
    assertThat(p.sql()).isEqualTo("UPDATE t SET a = ?, b = ? WHERE id = ? AND c = ?");
    assertThat(p.names()).isEqualTo(List.of("a", "b_2", "id", "a"));
  }

  @Test
  void colonsInLiteralsAndCastsAreLeftAlone() {
    var p = PlainUpdate.parse("INSERT INTO t (x, y) VALUES ('a:b', :v::jsonb)");
    assertThat(p.sql()).isEqualTo("INSERT INTO t (x, y) VALUES ('a:b', ?::jsonb)");
    assertThat(p.names()).isEqualTo(List.of("v"));
  }
}
