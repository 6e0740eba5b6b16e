package dev.keel.pipelines.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.store.ConflictException;
import dev.keel.store.NotFoundException;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.RecurringRunRecord;
import dev.keel.store.RecurringRuns;
import dev.keel.store.Store;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recurring runs, as KFP's ScheduledWorkflow controller keeps them: a cron or periodic schedule
 * with start and end times, at most {@code max_concurrency} of its runs unfinished at once, and
 * after a pause either every missed time in order or, with {@code no_catchup}, only the latest.
 * Parameter values and the run name may hold KFP's macros {@code [[RunUUID]]}, {@code
 * [[ScheduledTime]]}, {@code [[CurrentTime]]} and {@code [[Index]]}; the time macros take a Go
 * layout too, as in {@code [[ScheduledTime.2006-01-02]]}.
 *
 * <p>{@link #tick} does the work for one instant and is what tests drive with their own clock; a
 * server calls it every second with {@link #start}. Each fire is claimed in the store before its
 * run is made, so two schedulers, or one restarted, never fire a time twice; a claimed fire whose
 * run a crash prevented gets its run on the next tick.
 */
public final class RecurringRunService implements AutoCloseable {
  /** Most fires one recurring run makes in one tick while catching up. */
  static final int MAX_CATCHUP_PER_TICK = 100;

  private static final Pattern MACRO =
      Pattern.compile("\\[\\[(RunUUID|Index|ScheduledTime|CurrentTime)(?:\\.([^\\]]+))?\\]\\]");

  private final Store store;
  private final PipelineEngine engine;
  private final Clock clock;
  private final Consumer<String> log;
  private ScheduledExecutorService loop;

  public RecurringRunService(
      Store store, PipelineEngine engine, Clock clock, Consumer<String> log) {
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.log = log == null ? s -> {} : log;
  }

  /**
   * What a user asks for. Exactly one of {@code pipeline} and {@code pipelineVersionId}; exactly
   * one of {@code cron} and {@code intervalSeconds}.
   */
  public record Spec(
      String namespace,
      String experimentId,
      String displayName,
      String description,
      PipelineDocument pipeline,
      String pipelineVersionId,
      Map<String, JsonNode> parameters,
      String cron,
      Long intervalSeconds,
      Instant startTime,
      Instant endTime,
      int maxConcurrency,
      boolean noCatchup,
      boolean enabled,
      String timeZone) {}

  /** Checks and stores a new recurring run; field paths in errors are KFP's. */
  public RecurringRunRecord create(Spec spec) {
    List<Problem> problems = new ArrayList<>();
    if (spec.displayName() == null || spec.displayName().isBlank()) {
      problems.add(Problem.at("display_name", "a recurring run needs a display_name"));
    }
    ZoneId zone = ZoneId.of("UTC");
    try {
      if (spec.timeZone() != null && !spec.timeZone().isBlank()) {
        zone = ZoneId.of(spec.timeZone().strip());
      }
    } catch (DateTimeException e) {
      problems.add(
          Problem.at("time_zone", "'%s' is not a time zone (e.g. Europe/Paris)", spec.timeZone()));
    }
    boolean hasCron = spec.cron() != null && !spec.cron().isBlank();
    if (hasCron == (spec.intervalSeconds() != null)) {
      problems.add(
          Problem.at(
              "trigger", "give either cron_schedule.cron or periodic_schedule.interval_second"));
    } else if (hasCron) {
      try {
        Schedule.cron(spec.cron(), zone);
      } catch (IllegalArgumentException e) {
        problems.add(Problem.at("trigger.cron_schedule.cron", "%s", e.getMessage()));
      }
    } else if (spec.intervalSeconds() < 1) {
      problems.add(
          Problem.at(
              "trigger.periodic_schedule.interval_second",
              "must be at least 1, was %d",
              spec.intervalSeconds()));
    }
    if (spec.startTime() != null
        && spec.endTime() != null
        && !spec.endTime().isAfter(spec.startTime())) {
      problems.add(Problem.at("trigger.end_time", "the end time must come after the start time"));
    }
    if (spec.maxConcurrency() < 1 || spec.maxConcurrency() > 10) {
      problems.add(
          Problem.at("max_concurrency", "must be between 1 and 10, was %d", spec.maxConcurrency()));
    }
    if ((spec.pipeline() == null) == (spec.pipelineVersionId() == null)) {
      problems.add(Problem.at("pipeline_spec", "give pipeline_spec or pipeline_version_reference"));
    }
    String specJson = null;
    if (spec.pipeline() != null) {
      for (Problem p : PipelineValidator.validate(spec.pipeline())) {
        problems.add(new Problem("pipeline_spec." + p.path(), p.reason()));
      }
      ObjectNode tree = Json.json().createObjectNode();
      tree.set("pipeline_spec", PipelineSpecWriter.toTree(spec.pipeline().spec()));
      if (spec.pipeline().platform() != null) {
        tree.set("platform_spec", PipelineSpecWriter.toTree(spec.pipeline().platform()));
      }
      specJson = Json.write(tree);
    } else if (spec.pipelineVersionId() != null
        && store.versions().get(spec.pipelineVersionId()).isEmpty()) {
      problems.add(
          Problem.at(
              "pipeline_version_reference.pipeline_version_id",
              "no pipeline version %s",
              spec.pipelineVersionId()));
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    Instant now = clock.instant();
    String experimentId =
        spec.experimentId() != null
            ? spec.experimentId()
            : store.experiments().getOrCreateDefault(spec.namespace(), now).id();
    ObjectNode runtimeConfig = Json.json().createObjectNode();
    ObjectNode params = runtimeConfig.putObject("parameters");
    if (spec.parameters() != null) {
      spec.parameters().forEach(params::set);
    }
    RecurringRunRecord r =
        new RecurringRunRecord(
            Ids.newId(),
            spec.namespace(),
            experimentId,
            spec.displayName(),
            spec.description(),
            spec.pipelineVersionId(),
            specJson,
            Json.write(runtimeConfig),
            hasCron ? spec.cron().strip() : null,
            hasCron ? null : spec.intervalSeconds(),
            spec.startTime(),
            spec.endTime(),
            spec.maxConcurrency(),
            spec.noCatchup(),
            spec.enabled(),
            zone.getId(),
            now,
            now,
            null,
            0);
    store.recurringRuns().insert(r);
    return r;
  }

  public Optional<RecurringRunRecord> get(String id) {
    return store.recurringRuns().get(id);
  }

  public void enable(String id, boolean enabled) {
    if (!store.recurringRuns().setEnabled(id, enabled, clock.instant())) {
      throw new NotFoundException("no recurring run " + id);
    }
  }

  public void delete(String id) {
    if (!store.recurringRuns().delete(id)) {
      throw new NotFoundException("no recurring run " + id);
    }
  }

  /** The schedule of a stored recurring run. */
  static Schedule schedule(RecurringRunRecord r) {
    Instant origin = r.startTime() != null ? r.startTime() : r.createdAt();
    Schedule s =
        r.cron() != null
            ? Schedule.cron(r.cron(), ZoneId.of(r.timeZone()))
            : Schedule.periodic(Duration.ofSeconds(r.intervalSeconds()));
    return s.withOrigin(origin);
  }

  /**
   * The times due at {@code now}, oldest first: after the last one fired (or from the start), not
   * after the end time; only the latest with {@code no_catchup}.
   */
  static List<Instant> due(RecurringRunRecord r, Instant now) {
    Schedule s = schedule(r);
    // the first fire comes after the start (or the creation), as KFP's controller counts it
    Instant after =
        r.lastScheduledAt() != null
            ? r.lastScheduledAt()
            : (r.startTime() != null ? r.startTime() : r.createdAt());
    List<Instant> due = new ArrayList<>();
    Instant latest = null;
    int seen = 0;
    for (Optional<Instant> t = s.next(after);
        t.isPresent()
            && !t.get().isAfter(now)
            && (r.endTime() == null || !t.get().isAfter(r.endTime()));
        t = s.next(t.get())) {
      if (r.noCatchup()) {
        latest = t.get();
        if (++seen > 1_000_000) {
          break;
        }
      } else {
        due.add(t.get());
        if (due.size() >= MAX_CATCHUP_PER_TICK) {
          break;
        }
      }
    }
    if (r.noCatchup() && latest != null) {
      due.add(latest);
    }
    return due;
  }

  /** Does what is due at {@code now}: finishes interrupted fires, then fires due times. */
  public synchronized void tick(Instant now) {
    for (RecurringRuns.Fire f : store.recurringRuns().unfinishedFires()) {
      store
          .recurringRuns()
          .get(f.recurringRunId())
          .ifPresent(r -> startRun(r, f.scheduledAt(), f.index(), now));
    }
    for (RecurringRunRecord r : store.recurringRuns().listEnabled()) {
      try {
        List<Instant> due = due(r, now);
        int room = r.maxConcurrency() - store.recurringRuns().activeRuns(r.id());
        long index = r.fires();
        for (Instant t : due) {
          if (room <= 0) {
            break; // the rest wait for a run to end: they stay due
          }
          index++;
          if (store.recurringRuns().claimFire(r.id(), t, index, now)) {
            startRun(r, t, index, now);
            room--;
          }
        }
      } catch (RuntimeException e) {
        log.accept("recurring run " + r.id() + " (" + r.displayName() + "): " + e.getMessage());
      }
    }
  }

  /**
   * The id of the run a fire makes, the same whoever makes it: a second scheduler, or one finishing
   * a fire another left, finds the run there instead of making a second.
   */
  static String runId(String recurringRunId, Instant scheduled) {
    return java.util
        .UUID
        .nameUUIDFromBytes(
            ("keel-recurring:" + recurringRunId + ":" + scheduled.toEpochMilli())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  private void startRun(RecurringRunRecord r, Instant scheduled, long index, Instant now) {
    String runId = runId(r.id(), scheduled);
    ZoneId zone = ZoneId.of(r.timeZone());
    Map<String, JsonNode> params = new LinkedHashMap<>();
    Json.parse(r.runtimeConfig())
        .path("parameters")
        .fields()
        .forEachRemaining(
            e ->
                params.put(
                    e.getKey(),
                    e.getValue().isTextual()
                        ? TextNode.valueOf(
                            macros(e.getValue().textValue(), runId, index, scheduled, now, zone))
                        : e.getValue()));
    PipelineDocument doc;
    String versionId = r.pipelineVersionId();
    if (versionId != null) {
      PipelineVersionRecord v =
          store
              .versions()
              .get(versionId)
              .orElseThrow(() -> new NotFoundException("no pipeline version " + versionId));
      ObjectNode tree = Json.json().createObjectNode();
      tree.set("pipeline_spec", Json.parse(v.pipelineSpec()));
      if (v.platformSpec() != null) {
        tree.set("platform_spec", Json.parse(v.platformSpec()));
      }
      doc = PipelineSpecReader.fromTree(tree);
    } else {
      doc = PipelineSpecReader.fromTree(Json.parse(r.pipelineSpec()));
    }
    String name =
        macros(r.displayName(), runId, index, scheduled, now, zone)
            + "-"
            + DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(zone).format(scheduled);
    try {
      engine.submit(
          new RunRequest(
              doc,
              params,
              r.namespace(),
              name,
              r.experimentId(),
              versionId,
              runId,
              r.id(),
              scheduled));
      store.recurringRuns().setFireRun(r.id(), scheduled, runId);
      log.accept("recurring run " + r.displayName() + " fired for " + scheduled + ": run " + runId);
    } catch (ConflictException e) {
      store.recurringRuns().setFireRun(r.id(), scheduled, runId); // another scheduler made it
    } catch (ValidationException e) {
      // a run that can never start (a parameter macro made a wrong value): record the attempt
      store.recurringRuns().setFireRun(r.id(), scheduled, "");
      log.accept(
          "recurring run "
              + r.displayName()
              + " could not start a run for "
              + scheduled
              + ": "
              + e.getMessage());
    }
  }

  /** Substitutes KFP's macros. */
  static String macros(
      String text, String runId, long index, Instant scheduled, Instant now, ZoneId zone) {
    if (text == null || !text.contains("[[")) {
      return text;
    }
    Matcher m = MACRO.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v =
          switch (m.group(1)) {
            case "RunUUID" -> runId;
            case "Index" -> Long.toString(index);
            case "ScheduledTime" -> format(scheduled, m.group(2), zone);
            default -> format(now, m.group(2), zone);
          };
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A time as KFP formats it: {@code 20060102150405} by default, else the Go layout given. */
  static String format(Instant t, String goLayout, ZoneId zone) {
    String pattern = goLayout == null ? "yyyyMMddHHmmss" : javaPattern(goLayout);
    return DateTimeFormatter.ofPattern(pattern).withZone(zone).format(t);
  }

  /** A Go reference-time layout ({@code 2006-01-02 15:04:05}) as a Java pattern. */
  static String javaPattern(String go) {
    String[][] tokens = {
      {"2006", "yyyy"},
      {"January", "MMMM"},
      {"Jan", "MMM"},
      {"Monday", "EEEE"},
      {"Mon", "EEE"},
      {"MST", "z"},
      {"-0700", "Z"},
      {"01", "MM"},
      {"02", "dd"},
      {"15", "HH"},
      {"03", "hh"},
      {"04", "mm"},
      {"05", "ss"},
      {"06", "yy"},
      {"PM", "a"}
    };
    StringBuilder out = new StringBuilder();
    int i = 0;
    outer:
    while (i < go.length()) {
      for (String[] t : tokens) {
        if (go.startsWith(t[0], i)) {
          out.append(t[1]);
          i += t[0].length();
          continue outer;
        }
      }
      char c = go.charAt(i++);
      if (Character.isLetter(c)) {
        out.append('\'').append(c).append('\'');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Ticks every {@code period} on a thread of its own until closed. */
  public synchronized void start(Duration period) {
    if (loop != null) {
      return;
    }
    loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keel-scheduler");
              t.setDaemon(true);
              return t;
            });
    loop.scheduleWithFixedDelay(
        () -> {
          try {
            tick(clock.instant());
          } catch (RuntimeException e) {
            log.accept("scheduler: " + e.getMessage());
          }
        },
        0,
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (loop != null) {
      loop.shutdownNow();
      loop = null;
    }
  }
}
