package dev.keel.server.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Lays a DAG out top to bottom with Eclipse ELK's layered algorithm, on the server, so pages draw
 * it as plain SVG: each node gets a box, each edge a polyline from its source's box to its
 * target's.
 */
public final class DagLayout {
  static final double NODE_HEIGHT = 40;
  static final double MIN_WIDTH = 110;
  static final double MAX_WIDTH = 230;
  static final double CHAR_WIDTH = 7.2;
  static final double PADDING = 12;
  public static final double OPEN_BUTTON = 24;

  static {
    // outside OSGi nobody registers the algorithm for us
    LayoutMetaDataService.getInstance()
        .registerLayoutMetaDataProviders(new LayeredMetaDataProvider());
  }

  private DagLayout() {}

  /**
   * A node to place: its id (unique), the text in its box, and a state to colour it by. A node that
   * holds tasks of its own has a {@code kind} ({@code dag} for a nested pipeline, {@code condition}
   * for a condition branch, {@code loop} for a ParallelFor, {@code iteration} for one of its
   * iterations), a {@code note} saying how many (e.g. "3 tasks") and, where it can be opened, the
   * link that {@code open}s it.
   */
  public record Node(String id, String label, String state, String kind, String note, String open) {
    public Node {
      Objects.requireNonNull(id, "id");
      label = label == null ? id : label;
      state = state == null ? "" : state;
      kind = kind == null ? "" : kind;
    }

    /** A plain task. */
    public Node(String id, String label, String state) {
      this(id, label, state, null, null, null);
    }

    /** Whether it holds tasks of its own (a sub-DAG, a loop or an iteration). */
    public boolean nested() {
      return !kind.isEmpty();
    }

    /** Whether the node itself is the link (an iteration has no task of its own to show). */
    public boolean isLink() {
      return open != null && kind.equals("iteration");
    }

    /** Whether the node has a button of its own that opens it. */
    public boolean hasOpenButton() {
      return open != null && !isLink();
    }
  }

  /** An edge from {@code from} to {@code to}; {@code data} when outputs flow along it. */
  public record Edge(String from, String to, boolean data) {}

  /** A placed node: its box, top-left corner first. */
  public record Box(Node node, double x, double y, double width, double height) {
    /** The label shortened to fit the box. */
    public String shortLabel() {
      double room = width - PADDING - (node.hasOpenButton() ? OPEN_BUTTON : 0);
      int max = (int) (room / CHAR_WIDTH);
      String l = node.label();
      return l.length() <= max ? l : l.substring(0, Math.max(1, max - 1)) + "…";
    }

    public double centerX() {
      return x + width / 2;
    }

    /** Where the label's middle is: left of the open button, if any. */
    public double textX() {
      return (width - (node.hasOpenButton() ? OPEN_BUTTON : 0)) / 2;
    }

    public double centerY() {
      return y + height / 2;
    }
  }

  /** A routed edge: the points of its polyline, from the source's border to the target's. */
  public record Route(Edge edge, List<double[]> points) {
    /** The polyline as SVG's {@code points} attribute. */
    public String svgPoints() {
      StringBuilder b = new StringBuilder();
      for (double[] p : points) {
        if (b.length() > 0) {
          b.append(' ');
        }
        b.append(fmt(p[0])).append(',').append(fmt(p[1]));
      }
      return b.toString();
    }
  }

  /** The whole drawing: its size, boxes and routes. */
  public record Drawing(double width, double height, List<Box> boxes, List<Route> routes) {
    public Box box(String id) {
      return boxes.stream().filter(b -> b.node().id().equals(id)).findFirst().orElse(null);
    }

    public boolean isEmpty() {
      return boxes.isEmpty();
    }
  }

  /**
   * Places {@code nodes} and routes {@code edges} between them; edges naming an unknown node, and
   * repeats, are left out.
   */
  public static Drawing layout(List<Node> nodes, List<Edge> edges) {
    if (nodes.isEmpty()) {
      return new Drawing(0, 0, List.of(), List.of());
    }
    ElkNode graph = ElkGraphUtil.createGraph();
    graph.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
    graph.setProperty(CoreOptions.DIRECTION, Direction.DOWN);
    graph.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.POLYLINE);
    graph.setProperty(LayeredOptions.SPACING_NODE_NODE, 24.0);
    graph.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 36.0);
    graph.setProperty(LayeredOptions.SPACING_EDGE_NODE, 12.0);
    graph.setProperty(CoreOptions.PADDING, new org.eclipse.elk.core.math.ElkPadding(12));
    Map<String, ElkNode> elk = new LinkedHashMap<>();
    Map<ElkNode, Node> back = new LinkedHashMap<>();
    for (Node n : nodes) {
      if (elk.containsKey(n.id())) {
        throw new IllegalArgumentException("two nodes have the id '" + n.id() + "'");
      }
      ElkNode e = ElkGraphUtil.createNode(graph);
      e.setIdentifier(n.id());
      e.setWidth(width(n));
      e.setHeight(NODE_HEIGHT);
      elk.put(n.id(), e);
      back.put(e, n);
    }
    Map<String, Edge> unique = new LinkedHashMap<>();
    for (Edge e : edges) {
      if (!elk.containsKey(e.from()) || !elk.containsKey(e.to()) || e.from().equals(e.to())) {
        continue;
      }
      String key = e.from() + "\u0000" + e.to();
      Edge seen = unique.get(key);
      unique.put(key, seen == null ? e : new Edge(e.from(), e.to(), seen.data() || e.data()));
    }
    Map<ElkEdge, Edge> edgeOf = new LinkedHashMap<>();
    for (Edge e : unique.values()) {
      edgeOf.put(ElkGraphUtil.createSimpleEdge(elk.get(e.from()), elk.get(e.to())), e);
    }
    new RecursiveGraphLayoutEngine().layout(graph, new BasicProgressMonitor());
    List<Box> boxes = new ArrayList<>();
    for (Map.Entry<ElkNode, Node> e : back.entrySet()) {
      ElkNode n = e.getKey();
      boxes.add(new Box(e.getValue(), n.getX(), n.getY(), n.getWidth(), n.getHeight()));
    }
    List<Route> routes = new ArrayList<>();
    for (Map.Entry<ElkEdge, Edge> e : edgeOf.entrySet()) {
      List<double[]> points = new ArrayList<>();
      for (ElkEdgeSection s : e.getKey().getSections()) {
        points.add(new double[] {s.getStartX(), s.getStartY()});
        for (ElkBendPoint b : s.getBendPoints()) {
          points.add(new double[] {b.getX(), b.getY()});
        }
        points.add(new double[] {s.getEndX(), s.getEndY()});
      }
      routes.add(new Route(e.getValue(), List.copyOf(points)));
    }
    return new Drawing(
        graph.getWidth(), graph.getHeight(), List.copyOf(boxes), List.copyOf(routes));
  }

  /** Room for the label, the state and note beneath it, and an open button where there is one. */
  static double width(Node n) {
    double w = width(n.label()) + (n.hasOpenButton() ? OPEN_BUTTON : 0);
    if (n.note() != null) {
      // "Not triggered · 12 iterations" in the smaller font
      double sub = (16 + n.note().length()) * CHAR_WIDTH * 0.9 + 2 * PADDING;
      w = Math.max(w, Math.min(MAX_WIDTH + OPEN_BUTTON, sub));
    }
    return w;
  }

  static double width(String label) {
    return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, label.length() * CHAR_WIDTH + 2 * PADDING));
  }

  static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.1f", v);
  }
}
