package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void ids_are_canonical_version_7_uuids_carrying_the_time() {
    long now = System.currentTimeMillis();
    String id = Ids.newId();
    UUID u = UUID.fromString(id);
    assertThat(id).isEqualTo(u.toString()).matches("[0-9a-f-]{36}");
    assertThat(u.version()).isEqualTo(7);
    assertThat(u.variant()).isEqualTo(2);
    assertThat(u.getMostSignificantBits() >>> 16).isBetween(now - 1000, now + 1000);
  }

  @Test
  void ids_made_later_sort_later_even_within_one_millisecond() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(Ids.newUuid(1_700_000_000_000L).toString());
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids)).hasSize(10_000);
  }

  @Test
  void a_clock_that_steps_back_does_not_make_an_id_sort_earlier() {
    String later = Ids.newUuid(1_600_000_000_000L).toString();
    String after = Ids.newUuid(1_599_999_999_000L).toString();
    assertThat(after).isGreaterThan(later);
  }
}
