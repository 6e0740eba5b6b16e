package dev.keel.server.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the templates show: plain records, and the few helpers they share. */
public final class Views {
  private Views() {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /**
   * What every page has: its title, the section of the navigation it belongs to, who is signed in,
   * the namespaces they may view and the one chosen ({@code null} when there is none).
   */
  public record Page(
      String title,
      String section,
      String user,
      boolean canLogOut,
      List<String> namespaces,
      String namespace) {
    /** A link within the chosen namespace. */
    public String link(String path) {
      return namespace == null ? path : url(path, "namespace", namespace);
    }

    public boolean active(String s) {
      return s.equals(section);
    }

    /** Where the namespace selector goes: the list of this page's section. */
    public String sectionPath() {
      return switch (section) {
        case "runs", "pipelines", "experiments" -> "/" + section;
        case "kfp-experiments" -> "/kfp/experiments";
        case "recurringruns" -> "/recurringruns";
        case "contributors" -> "/namespaces";
        default -> "/";
      };
    }

    /** The "Manage contributors" page of the chosen namespace. */
    public String contributorsLink() {
      return namespace == null ? "/namespaces" : "/namespaces/" + enc(namespace) + "/contributors";
    }
  }

  /** A run in a list. */
  public record RunRow(
      String id,
      String name,
      String state,
      String pipeline,
      String namespace,
      Instant created,
      Instant finished) {}

  /** A pipeline in a list. */
  public record PipelineRow(
      String id, String name, String description, String namespace, Instant created) {}

  /** A Katib experiment in a list. */
  public record ExperimentRow(
      String namespace,
      String name,
      String status,
      String objective,
      String algorithm,
      int trials,
      int succeeded,
      int running,
      int failed,
      String best,
      Instant created) {}

  /** A task of a run, as the task table and the side panel show it. */
  public record TaskRow(
      String id,
      String path,
      String name,
      String component,
      String state,
      int attempt,
      Instant started,
      Instant finished,
      String error) {}

  /** A name and a value, both text. */
  public record Entry(String name, String value) {}

  /**
   * An artifact a task wrote: what it shows, and where to download its file ({@code null} with the
   * reason in {@code problem} when it cannot be).
   */
  public record ArtifactRow(
      String id,
      String name,
      String uri,
      String type,
      Visuals.Visual visual,
      String download,
      String problem) {
    public String page() {
      return "/artifacts/" + enc(id);
    }

    public String frame() {
      return "/artifacts/" + enc(id) + "/view";
    }
  }

  /** A trial in the experiment's table. */
  public record TrialRow(
      String name,
      String status,
      Map<String, String> parameters,
      Double objective,
      Instant created) {
    public String objectiveText() {
      return objective == null ? "–" : Charts.num(objective);
    }
  }

  /** A step of the way down a run's graph: what it shows, and the link that opens it. */
  public record Crumb(String label, String link) {}

  /**
   * The part of a run's page that changes while it runs: the graph of one level ({@code dag} names
   * it, {@code null} at the root; {@code levels} is the way down to it) and that level's tasks.
   */
  public record Live(
      RunRow run,
      boolean canWrite,
      DagLayout.Drawing drawing,
      String nodeBase,
      List<TaskRow> tasks,
      String dag,
      List<Crumb> levels) {
    /** The run's page at this level. */
    public String page() {
      return url(base(), "dag", dag);
    }

    /** Where this level's live updates come from. */
    public String events() {
      return url(base() + "/events", "dag", dag);
    }

    /** The run's page at this level with a task's panel open. */
    public String nodeLink(String task) {
      return url(base(), "dag", dag, "node", task);
    }

    public boolean terminal() {
      return !run.state().equals("PENDING")
          && !run.state().equals("RUNNING")
          && !run.state().equals("CANCELING")
          && !run.state().equals("PAUSED");
    }

    public boolean retryable() {
      return run.state().equals("FAILED") || run.state().equals("CANCELED");
    }

    public String base() {
      return "/runs/" + enc(run.id());
    }
  }

  /**
   * The side panel of a node of a run's graph. {@code log} is the tail of the task's log ({@code
   * null} when it ran no process); while the task runs, {@code logStream} is where the rest of it
   * comes from. {@code open} opens the graph of a task that holds tasks of its own.
   */
  public record Panel(
      String runId,
      String node,
      String nodeBase,
      TaskRow task,
      List<Entry> inputs,
      List<Entry> outputs,
      List<ArtifactRow> artifacts,
      List<TaskRow> children,
      String log,
      String logStream,
      String open) {
    /** How much of a log the page keeps, in KiB. */
    public long logCapKiB() {
      return LOG_CAP / 1024;
    }

    public long logCap() {
      return LOG_CAP;
    }
  }

  /** How much of a task's log a page shows: the last 64 KiB. */
  public static final long LOG_CAP = 64 * 1024;

  /** A link to one page of a list, with what the list shows. */
  public record Paging(String first, String next, long total) {}

  // ------------------------------------------------------------------ helpers

  /** {@code path?k1=v1&k2=v2}, values encoded; pairs with a null or empty value are left out. */
  public static String url(String path, String... kv) {
    StringBuilder b = new StringBuilder(path);
    char sep = path.contains("?") ? '&' : '?';
    for (int i = 0; i + 1 < kv.length; i += 2) {
      if (kv[i + 1] == null || kv[i + 1].isEmpty()) {
        continue;
      }
      b.append(sep).append(enc(kv[i])).append('=').append(enc(kv[i + 1]));
      sep = '&';
    }
    return b.toString();
  }

  /** One path segment, encoded. */
  public static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public static String time(Instant t) {
    return t == null ? "–" : TIME.format(t);
  }

  /**
   * How long from {@code start} to {@code end} (or now), as {@code 1h 2m}, {@code 3m 4s}, {@code
   * 5s}.
   */
  public static String duration(Instant start, Instant end) {
    if (start == null) {
      return "–";
    }
    Duration d = Duration.between(start, end == null ? Instant.now() : end);
    long s = Math.max(0, d.getSeconds());
    if (s >= 3600) {
      return s / 3600 + "h " + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m " + s % 60 + "s";
    }
    return s + "s";
  }

  /** The CSS class for a state: its lower-case name; unknown or empty is "none". */
  public static String stateClass(String state) {
    if (state == null || state.isBlank()) {
      return "state-none";
    }
    return "state-" + state.toLowerCase(Locale.ROOT).replaceAll("[^a-z_]", "");
  }

  /**
   * A state as people read it: {@code SUCCEEDED} as {@code Succeeded}, {@code NOT_TRIGGERED} as
   * {@code Not triggered}.
   */
  public static String stateLabel(String state) {
    if (state == null || state.isBlank()) {
      return "Not started";
    }
    String s = state.toLowerCase(Locale.ROOT).replace('_', ' ');
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Text made safe to put in HTML: {@code & < > " '} as entities. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Short id for tables. */
  public static String shortId(String id) {
    return id == null || id.length() <= 8 ? id : id.substring(0, 8);
  }

  /** A number as people read it: no trailing zeros, at most four decimals. */
  public static String num(double v) {
    return Charts.num(v);
  }

  public static String fmt(double v) {
    return DagLayout.fmt(v);
  }
}
