package dev.keel.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.PipelineSpec;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import dev.keel.store.NotFoundException;
import dev.keel.store.TaskRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's graph, one level at a time: the root DAG, the DAG of a nested pipeline or condition
 * branch, the iterations of a ParallelFor, or the DAG of one iteration. A level is named by the
 * {@code ?dag=} of the run's page: a task's id, or its path as the engine stores it ({@code
 * outer/loop(2)/inner}; iterations have no task of their own, so they are named by path).
 */
final class RunGraph {
  private RunGraph() {}

  /** What a level shows. */
  enum Kind {
    /** The tasks of a DAG: the root, a nested pipeline, a condition branch or an iteration. */
    DAG,
    /** The iterations of a ParallelFor. */
    LOOP
  }

  /** A step of the way down from the root: its label, and the {@code ?dag=} that opens it. */
  record Crumb(String label, String dag) {}

  /**
   * A level: the path its tasks' paths start with ({@code ""} at the root), what it shows, the DAG
   * component (for a loop, the body each iteration runs), the loop's task spec, the {@code ?dag=}
   * that names it ({@code null} at the root) and the way down to it (empty at the root).
   */
  record Level(
      String path,
      Kind kind,
      ComponentSpec component,
      PipelineTaskSpec loop,
      String dag,
      List<Crumb> crumbs) {
    boolean root() {
      return dag == null;
    }

    /** Whether a task of the run lies inside this level. */
    boolean holds(String taskPath) {
      if (path.isEmpty()) {
        return true;
      }
      if (!taskPath.startsWith(path) || taskPath.length() == path.length()) {
        return false;
      }
      char next = taskPath.charAt(path.length());
      return next == '/' || kind == Kind.LOOP && next == '(';
    }
  }

  private static final Pattern SEGMENT = Pattern.compile("([^()]+)(?:\\((\\d{1,6})\\))?");

  /**
   * The level {@code dag} names: {@code null} or blank is the root.
   *
   * @throws NotFoundException when it names no DAG, loop or iteration of this run's pipeline
   */
  static Level resolve(PipelineSpec spec, List<TaskRecord> tasks, String dag) {
    if (dag == null || dag.isBlank() || spec.root() == null || spec.root().dag() == null) {
      return new Level("", Kind.DAG, spec.root(), null, null, List.of());
    }
    String path =
        tasks.stream()
            .filter(t -> t.id().equals(dag))
            .map(TaskRecord::path)
            .findFirst()
            .orElse(dag);
    List<Crumb> crumbs = new ArrayList<>();
    ComponentSpec comp = spec.root();
    String prefix = "";
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      Matcher m = SEGMENT.matcher(segments[i]);
      if (!m.matches() || comp == null || comp.dag() == null) {
        throw notFound(dag);
      }
      String name = m.group(1);
      PipelineTaskSpec t = comp.dag().tasks().get(name);
      ComponentSpec child = componentOf(spec, t);
      if (child == null || child.dag() == null) {
        throw notFound(dag);
      }
      String taskPath = join(prefix, name);
      crumbs.add(new Crumb(label(name, t), param(tasks, taskPath)));
      if (m.group(2) != null) {
        if (!isLoop(t)) {
          throw notFound(dag);
        }
        int index = Integer.parseInt(m.group(2));
        prefix = taskPath + "(" + index + ")";
        crumbs.add(new Crumb("iteration " + index, prefix));
      } else if (isLoop(t)) {
        if (i != segments.length - 1) {
          throw notFound(dag);
        }
        return new Level(taskPath, Kind.LOOP, child, t, dag, List.copyOf(crumbs));
      } else {
        prefix = taskPath;
      }
      comp = child;
    }
    return new Level(prefix, Kind.DAG, comp, null, dag, List.copyOf(crumbs));
  }

  /**
   * Draws a level: its tasks (or iterations) coloured by state, with links that open the nested
   * ones on {@code runPage} ({@code /runs/<id>}).
   */
  static DagLayout.Drawing draw(
      PipelineSpec spec, Level level, List<TaskRecord> tasks, String runPage) {
    Map<String, TaskRecord> byPath = new HashMap<>();
    for (TaskRecord t : tasks) {
      byPath.put(t.path(), t);
    }
    List<DagLayout.Node> nodes = new ArrayList<>();
    List<DagLayout.Edge> edges = new ArrayList<>();
    if (level.component() == null || level.component().dag() == null) {
      return DagLayout.layout(nodes, edges);
    }
    if (level.kind() == Kind.LOOP) {
      TaskRecord loop = byPath.get(level.path());
      List<JsonNode> items = items(level.loop(), loop);
      int body = level.component().dag().tasks().size();
      for (int i : iterations(level.path(), tasks, items)) {
        String p = level.path() + "(" + i + ")";
        String item = items != null && i < items.size() ? itemText(items.get(i)) : null;
        nodes.add(
            new DagLayout.Node(
                p,
                "#" + i + (item == null ? "" : " " + item),
                iterationState(p, tasks, body, loop),
                "iteration",
                count(body, "task"),
                Views.url(runPage, "dag", p)));
      }
      return DagLayout.layout(nodes, edges);
    }
    for (Map.Entry<String, PipelineTaskSpec> e : level.component().dag().tasks().entrySet()) {
      String name = e.getKey();
      PipelineTaskSpec t = e.getValue();
      String p = join(level.path(), name);
      TaskRecord rec = byPath.get(p);
      ComponentSpec c = componentOf(spec, t);
      String kind = null;
      String note = null;
      String open = null;
      if (c != null && c.dag() != null) {
        if (isLoop(t)) {
          kind = "loop";
          List<JsonNode> items = items(t, rec);
          int n = iterations(p, tasks, items).size();
          note = n == 0 && items == null ? "ParallelFor" : count(n, "iteration");
        } else {
          kind =
              t.triggerPolicy() != null && t.triggerPolicy().condition() != null
                  ? "condition"
                  : "dag";
          note = count(c.dag().tasks().size(), "task");
        }
        open = Views.url(runPage, "dag", rec != null ? rec.id() : p);
      }
      nodes.add(
          new DagLayout.Node(
              p, label(name, t), rec == null ? null : rec.state(), kind, note, open));
      for (DagLayout.Edge d : PipelineGraph.edgesInto(name, t)) {
        edges.add(
            new DagLayout.Edge(join(level.path(), d.from()), join(level.path(), d.to()), d.data()));
      }
    }
    return DagLayout.layout(nodes, edges);
  }

  /**
   * The iterations of the loop at {@code loopPath}: those its items promise and those that have
   * tasks, in order.
   */
  static TreeSet<Integer> iterations(
      String loopPath, List<TaskRecord> tasks, List<JsonNode> items) {
    TreeSet<Integer> out = new TreeSet<>();
    if (items != null) {
      for (int i = 0; i < items.size(); i++) {
        out.add(i);
      }
    }
    String start = loopPath + "(";
    for (TaskRecord t : tasks) {
      if (t.path().startsWith(start)) {
        int close = t.path().indexOf(')', start.length());
        if (close > start.length()) {
          try {
            out.add(Integer.parseInt(t.path().substring(start.length(), close)));
          } catch (NumberFormatException e) {
            // not an iteration of this loop
          }
        }
      }
    }
    return out;
  }

  /**
   * An iteration's state, from its tasks: running while any runs (or while some have not started
   * and the loop has not ended), failed or canceled when one did, else succeeded.
   */
  static String iterationState(String path, List<TaskRecord> tasks, int body, TaskRecord loop) {
    List<String> states = new ArrayList<>();
    for (TaskRecord t : tasks) {
      if (t.path().startsWith(path + "/") && t.path().indexOf('/', path.length() + 1) < 0) {
        states.add(t.state());
      }
    }
    if (states.isEmpty()) {
      return "";
    }
    if (states.contains("RUNNING") || states.contains("PENDING")) {
      return "RUNNING";
    }
    if (states.contains("FAILED")) {
      return "FAILED";
    }
    if (states.contains("CANCELED")) {
      return "CANCELED";
    }
    boolean loopEnded =
        loop != null && !loop.state().equals("RUNNING") && !loop.state().equals("PENDING");
    return states.size() < body && !loopEnded ? "RUNNING" : "SUCCEEDED";
  }

  /**
   * A loop's items where they are known: raw in the spec, or the list its task received; {@code
   * null} for an artifact loop, or a loop that has not started.
   */
  static List<JsonNode> items(PipelineTaskSpec t, TaskRecord rec) {
    if (t == null || t.parameterIterator() == null || t.parameterIterator().items() == null) {
      return null;
    }
    var spec = t.parameterIterator().items();
    JsonNode list = null;
    try {
      if (spec.raw() != null) {
        list = Json.parse(spec.raw());
      } else if (spec.inputParameter() != null && rec != null && rec.inputs() != null) {
        list = Json.parse(rec.inputs()).path("parameters").path(spec.inputParameter());
        if (list.isTextual()) {
          list = Json.parse(list.textValue());
        }
      }
    } catch (RuntimeException e) {
      return null;
    }
    if (list == null || !list.isArray()) {
      return null;
    }
    List<JsonNode> out = new ArrayList<>();
    list.forEach(out::add);
    return out;
  }

  private static String itemText(JsonNode item) {
    return item.isValueNode() ? item.asText() : Json.write(item);
  }

  static boolean isLoop(PipelineTaskSpec t) {
    return t.parameterIterator() != null || t.artifactIterator() != null;
  }

  static ComponentSpec componentOf(PipelineSpec spec, PipelineTaskSpec t) {
    return t == null || t.componentRef() == null
        ? null
        : spec.components().get(t.componentRef().name());
  }

  static String label(String name, PipelineTaskSpec t) {
    return t.taskInfo() != null && t.taskInfo().name() != null ? t.taskInfo().name() : name;
  }

  /** What names a task's level in a link: its id once it has one, else its path. */
  private static String param(List<TaskRecord> tasks, String path) {
    return tasks.stream()
        .filter(t -> t.path().equals(path))
        .map(TaskRecord::id)
        .findFirst()
        .orElse(path);
  }

  private static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  private static NotFoundException notFound(String dag) {
    return new NotFoundException("this run has no sub-DAG " + dag);
  }
}
