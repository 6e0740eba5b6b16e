package dev.keel.pipelines.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a recurring run fires: a cron expression as KFP takes it (six fields, seconds first, read in
 * a time zone; or a descriptor: {@code @hourly}, {@code @daily}/{@code @midnight}, {@code
 * @weekly}, {@code @monthly}, {@code @yearly}/{@code @annually}, {@code @every <duration>}), or a
 * fixed period.
 */
public abstract sealed class Schedule {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));
  private static final Pattern EVERY = Pattern.compile("@every\\s+(.+)");
  private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s)");

  /** The first fire strictly after {@code after}, or empty when there is none. */
  public abstract Optional<Instant> next(Instant after);

  /**
   * A cron schedule.
   *
   * @throws IllegalArgumentException with the reason, for an expression it cannot read
   */
  public static Schedule cron(String expression, ZoneId zone) {
    String e = expression == null ? "" : expression.strip();
    Matcher every = EVERY.matcher(e);
    if (every.matches()) {
      return periodic(goDuration(every.group(1).strip()));
    }
    String cron =
        switch (e.toLowerCase(Locale.ROOT)) {
          case "@yearly", "@annually" -> "0 0 0 1 1 *";
          case "@monthly" -> "0 0 0 1 * *";
          case "@weekly" -> "0 0 0 * * SUN";
          case "@daily", "@midnight" -> "0 0 0 * * *";
          case "@hourly" -> "0 0 * * * *";
          default -> e;
        };
    if (cron.startsWith("@")) {
      throw new IllegalArgumentException("unknown descriptor '" + e + "'");
    }
    int fields = cron.isEmpty() ? 0 : cron.split("\\s+").length;
    if (fields == 5) {
      throw new IllegalArgumentException(
          "'" + e + "' has five fields; KFP's cron has six, seconds first: '0 " + e + "'");
    }
    if (fields != 6) {
      throw new IllegalArgumentException(
          "'"
              + e
              + "' is not a cron expression of six fields (seconds minutes hours day month"
              + " weekday) or a descriptor such as @hourly or @every 1h");
    }
    try {
      Cron parsed = PARSER.parse(cron);
      return new CronSchedule(e, ExecutionTime.forCron(parsed), zone);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("'" + e + "': " + ex.getMessage());
    }
  }

  /** Every {@code period}, counted from the time it starts. */
  public static Schedule periodic(Duration period) {
    if (period == null || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("the period must be positive");
    }
    return new Periodic(period, null);
  }

  /** A Go duration as robfig's {@code @every} takes it: {@code 1h30m}, {@code 90s}, {@code 5m}. */
  static Duration goDuration(String text) {
    Matcher m = GO_DURATION.matcher(text);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      end = m.end();
      double n = Double.parseDouble(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofMillis((long) (n * 3_600_000));
                case "m" -> Duration.ofMillis((long) (n * 60_000));
                case "s" -> Duration.ofMillis((long) (n * 1000));
                default -> Duration.ofMillis((long) n);
              });
    }
    if (end != text.length() || d.isZero()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration such as 90s, 5m, 1h or 1h30m");
    }
    return d;
  }

  /** The same schedule with periods counted from {@code origin} (cron schedules ignore it). */
  public abstract Schedule withOrigin(Instant origin);

  static final class CronSchedule extends Schedule {
    private final String text;
    private final ExecutionTime times;
    private final ZoneId zone;

    CronSchedule(String text, ExecutionTime times, ZoneId zone) {
      this.text = text;
      this.times = times;
      this.zone = zone;
    }

    @Override
    public Optional<Instant> next(Instant after) {
      return times
          .nextExecution(ZonedDateTime.ofInstant(after, zone))
          .map(ZonedDateTime::toInstant);
    }

    @Override
    public Schedule withOrigin(Instant origin) {
      return this;
    }

    @Override
    public String toString() {
      return text + " (" + zone + ")";
    }
  }

  static final class Periodic extends Schedule {
    private final Duration period;
    private final Instant origin;

    Periodic(Duration period, Instant origin) {
      this.period = period;
      this.origin = origin;
    }

    @Override
    public Schedule withOrigin(Instant origin) {
      return new Periodic(period, origin);
    }

    @Override
    public Optional<Instant> next(Instant after) {
      Instant o = origin == null ? after : origin;
      if (after.isBefore(o)) {
        return Optional.of(o.plus(period));
      }
      long periods = Duration.between(o, after).toMillis() / period.toMillis() + 1;
      return Optional.of(o.plus(period.multipliedBy(periods)));
    }

    Duration period() {
      return period;
    }

    @Override
    public String toString() {
      return "every " + period;
    }
  }
}
