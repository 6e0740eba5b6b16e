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

  static {
    // outside OSGi nobody registers the algorithm for us
    LayoutMetaDataService.getInstance()
        .registerLayoutMetaDataProviders(new LayeredMetaDataProvider());
  }

  private DagLayout() {}

  /** A node to place: its id (unique), the text in its box, and a state to colour it by. */
  public record Node(String id, String label, String state) {
    public Node {
      Objects.requireNonNull(id, "id");
      label = label == null ? id : label;
      state = state == null ? "" : state;
    }
  }

  /** An edge from {@code from} to {@code to}; {@code data} when outputs flow along it. */
  public record Edge(String from, String to, boolean data) {}

  /** A placed node: its box, top-left corner first. */
  public record Box(Node node, double x, double y, double width, double height) {
    /** The label shortened to fit the box. */
    public String shortLabel() {
      int max = (int) ((width - PADDING) / CHAR_WIDTH);
      String l = node.label();
      return l.length() <= max ? l : l.substring(0, Math.max(1, max - 1)) + "…";
    }

    public double centerX() {
      return x + width / 2;
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
      e.setWidth(width(n.label()));
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

  static double width(String label) {
    return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, label.length() * CHAR_WIDTH + 2 * PADDING));
  }

  static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.1f", v);
  }
}
