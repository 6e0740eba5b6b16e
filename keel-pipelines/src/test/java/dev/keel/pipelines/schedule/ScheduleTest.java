package dev.keel.pipelines.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  static final ZoneId UTC = ZoneOffset.UTC;

  static Instant at(String s) {
    return Instant.parse(s);
  }

  @Test
  void six_field_cron_with_seconds_first() {
    Schedule s = Schedule.cron("0 */15 * * * *", UTC);
    assertThat(s.next(at("2026-11-22T10:07:30Z"))).contains(at("2026-11-22T10:15:00Z"));
    assertThat(s.next(at("2026-11-22T10:15:00Z"))).contains(at("2026-11-22T10:30:00Z"));
    assertThat(Schedule.cron("30 0 9 * * MON-FRI", UTC).next(at("2026-11-21T12:00:00Z")))
        .contains(at("2026-11-23T09:00:30Z")); // Saturday -> Monday
  }

  @Test
  void descriptors_as_robfig_cron_reads_them() {
    Instant t = at("2026-11-22T10:07:30Z"); // a Sunday
    assertThat(Schedule.cron("@hourly", UTC).next(t)).contains(at("2026-11-22T11:00:00Z"));
    assertThat(Schedule.cron("@daily", UTC).next(t)).contains(at("2026-11-23T00:00:00Z"));
    assertThat(Schedule.cron("@midnight", UTC).next(t)).contains(at("2026-11-23T00:00:00Z"));
    assertThat(Schedule.cron("@weekly", UTC).next(t)).contains(at("2026-11-29T00:00:00Z"));
    assertThat(Schedule.cron("@monthly", UTC).next(t)).contains(at("2026-12-01T00:00:00Z"));
    assertThat(Schedule.cron("@yearly", UTC).next(t)).contains(at("2027-01-01T00:00:00Z"));
    Schedule every = Schedule.cron("@every 1h30m", UTC).withOrigin(at("2026-11-22T10:00:00Z"));
    assertThat(every.next(t)).contains(at("2026-11-22T11:30:00Z"));
    assertThat(every.next(at("2026-11-22T11:30:00Z"))).contains(at("2026-11-22T13:00:00Z"));
  }

  @Test
  void a_zone_moves_the_fires_across_a_dst_change() {
    ZoneId paris = ZoneId.of("Europe/Paris");
    Schedule s = Schedule.cron("0 0 9 * * *", paris);
    // 9:00 in Paris is 8:00 UTC in winter and 7:00 UTC in summer; DST began 2026-03-29
    assertThat(s.next(at("2026-03-28T12:00:00Z"))).contains(at("2026-03-29T07:00:00Z"));
    assertThat(s.next(at("2026-03-27T12:00:00Z"))).contains(at("2026-03-28T08:00:00Z"));
  }

  @Test
  void periodic_counts_periods_from_its_origin() {
    Schedule s = Schedule.periodic(Duration.ofMinutes(10)).withOrigin(at("2026-11-22T10:00:00Z"));
    assertThat(s.next(at("2026-11-22T09:00:00Z"))).contains(at("2026-11-22T10:10:00Z"));
    assertThat(s.next(at("2026-11-22T10:10:00Z"))).contains(at("2026-11-22T10:20:00Z"));
    assertThat(s.next(at("2026-11-22T10:25:00Z"))).contains(at("2026-11-22T10:30:00Z"));
  }

  @Test
  void bad_expressions_say_what_is_wrong() {
    assertThatThrownBy(() -> Schedule.cron("*/5 * * * *", UTC))
        .hasMessageContaining("five fields")
        .hasMessageContaining("'0 */5 * * * *'");
    assertThatThrownBy(() -> Schedule.cron("@fortnightly", UTC)).hasMessageContaining("descriptor");
    assertThatThrownBy(() -> Schedule.cron("@every 5 minutes", UTC))
        .hasMessageContaining("duration");
    assertThatThrownBy(() -> Schedule.cron("0 0 25 * * *", UTC))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Schedule.goDuration("90s")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void macros_are_kfps() {
    Instant scheduled = at("2026-11-22T10:15:00Z");
    Instant now = at("2026-11-22T10:15:02Z");
    assertThat(
            RecurringRunService.macros("run-[[Index]]-[[RunUUID]]", "abc", 7, scheduled, now, UTC))
        .isEqualTo("run-7-abc");
    assertThat(
            RecurringRunService.macros(
                "[[ScheduledTime]]/[[CurrentTime]]", "x", 1, scheduled, now, UTC))
        .isEqualTo("20261122101500/20261122101502");
    assertThat(
            RecurringRunService.macros(
                "[[ScheduledTime.2006-01-02 15:04]]", "x", 1, scheduled, now, UTC))
        .isEqualTo("2026-11-22 10:15");
    assertThat(RecurringRunService.macros("no macros", "x", 1, scheduled, now, UTC))
        .isEqualTo("no macros");
  }
}
