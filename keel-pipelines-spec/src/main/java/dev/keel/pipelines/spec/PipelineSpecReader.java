package dev.keel.pipelines.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads KFP pipelines: compiled YAML (PipelineSpec, then an optional PlatformSpec document), JSON,
 * or the {@code {"pipeline_spec": ..., "platform_spec": ...}} wrapper the KFP API accepts.
 *
 * <p>Reading is strict: every unknown field is reported with its path, together with any other
 * problem found, in one {@link ValidationException}.
 */
public final class PipelineSpecReader {
  private static final ObjectMapper MAPPER =
      Json.json()
          .copy()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private PipelineSpecReader() {}

  /**
   * Reads a pipeline file ({@code .yaml}, {@code .yml} or {@code .json}).
   *
   * @throws ValidationException listing every problem, the file name as the first path segment (a
   *     {@link PipelineReadException} when {@link #readText} throws one)
   */
  public static PipelineDocument read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ValidationException(new Problem(file.toString(), "no such file"));
    } catch (IOException e) {
      throw new ValidationException(new Problem(file.toString(), "cannot read: " + e.getMessage()));
    }
    try {
      return readText(text);
    } catch (PipelineReadException e) {
      throw new PipelineReadException(under(file, e.problems()), e.partial());
    } catch (ValidationException e) {
      throw new ValidationException(under(file, e.problems()));
    }
  }

  private static List<Problem> under(Path file, List<Problem> problems) {
    return problems.stream().map(p -> p.under(file.toString())).toList();
  }

  /** Reads YAML or JSON text (JSON is YAML, so one reader serves both). */
  public static PipelineDocument readText(String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = Json.yaml().readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
          docs.add(doc);
        }
      }
    } catch (JsonProcessingException e) {
      throw new ValidationException(syntaxProblem(e));
    } catch (IOException e) {
      throw new ValidationException(new Problem("", "cannot read: " + e.getMessage()));
    } catch (RuntimeException e) {
      if (e.getCause() instanceof JsonProcessingException jpe) {
        throw new ValidationException(syntaxProblem(jpe));
      }
      throw e;
    }
    if (docs.isEmpty()) {
      throw new ValidationException(new Problem("", "the file holds no pipeline"));
    }
    if (docs.size() > 2) {
      throw new ValidationException(
          new Problem(
              "",
              "expected a PipelineSpec and at most one PlatformSpec document, found "
                  + docs.size()
                  + " documents"));
    }
    if (docs.size() == 1) {
      return fromTree(docs.get(0));
    }
    return build(docs.get(0), docs.get(1));
  }

  /**
   * Reads a pipeline from a JSON tree: a bare PipelineSpec, or the API wrapper {@code
   * {"pipeline_spec": ..., "platform_spec": ...}}.
   */
  public static PipelineDocument fromTree(JsonNode tree) {
    if (tree instanceof ObjectNode obj && obj.has("pipeline_spec")) {
      return build(obj.get("pipeline_spec"), obj.get("platform_spec"));
    }
    return build(tree, null);
  }

  private static PipelineDocument build(JsonNode specTree, JsonNode platformTree) {
    List<Problem> problems = new ArrayList<>();
    PipelineSpec spec = convert(specTree, PipelineSpec.class, "", problems);
    PlatformSpec platform =
        platformTree == null || platformTree.isNull()
            ? null
            : convert(platformTree, PlatformSpec.class, "platformSpec", problems);
    if (!problems.isEmpty()) {
      boolean readable = spec != null && (platformTree == null || platform != null);
      throw new PipelineReadException(
          problems, readable ? new PipelineDocument(spec, platform) : null);
    }
    if (spec == null) {
      throw new ValidationException(new Problem("", "the pipeline document is empty"));
    }
    return new PipelineDocument(spec, platform);
  }

  private static <T> T convert(JsonNode tree, Class<T> type, String prefix, List<Problem> sink) {
    if (!tree.isObject()) {
      sink.add(new Problem(prefix, "expected a mapping, found " + tree.getNodeType()));
      return null;
    }
    List<Problem> unknown = new ArrayList<>();
    ObjectMapper mapper = MAPPER.copy().addHandler(new UnknownFieldCollector(prefix, unknown));
    try {
      T value = mapper.treeToValue(tree, type);
      sink.addAll(unknown);
      return value;
    } catch (JsonMappingException e) {
      sink.addAll(unknown);
      sink.add(new Problem(join(prefix, pathOf(e)), describe(e)));
      return null;
    } catch (JsonProcessingException e) {
      sink.addAll(unknown);
      sink.add(new Problem(prefix, e.getOriginalMessage()));
      return null;
    }
  }

  private static String describe(JsonMappingException e) {
    String msg = e.getOriginalMessage();
    if (msg == null) {
      return "invalid value";
    }
    int cut = msg.indexOf(" at [Source");
    msg = cut > 0 ? msg.substring(0, cut) : msg;
    if (msg.startsWith("Cannot deserialize value of type `dev.keel.pipelines.spec.")) {
      int tick = msg.indexOf('`', 40);
      String type =
          msg.substring(
              "Cannot deserialize value of type `dev.keel.pipelines.spec.".length(), tick);
      return "invalid value for " + type + msg.substring(tick + 1);
    }
    return msg.replace("dev.keel.pipelines.spec.", "");
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String join(String prefix, String path) {
    if (prefix.isEmpty()) {
      return path;
    }
    return path.isEmpty() ? prefix : prefix + "." + path;
  }

  private static Problem syntaxProblem(JsonProcessingException e) {
    var loc = e.getLocation();
    String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    return new Problem(where, "not valid YAML or JSON: " + syntaxReason(e));
  }

  /**
   * What the YAML parser says is wrong, on one line: its problem, then what it was reading and
   * where that started ({@code expected ',' or '}', but got : (while parsing a flow mapping from
   * line 1, column 15)}), without the parser's source name and caret drawings.
   */
  private static String syntaxReason(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException y && y.getProblem() != null) {
        String reason = y.getProblem();
        if (y.getContext() != null) {
          Mark from = y.getContextMark();
          reason +=
              " ("
                  + y.getContext()
                  + (from == null
                      ? ""
                      : " from line " + (from.getLine() + 1) + ", column " + (from.getColumn() + 1))
                  + ")";
        }
        return reason;
      }
    }
    String msg = e.getOriginalMessage();
    return msg == null ? e.getMessage() : msg;
  }

  /** Records every unknown field with its path and lets parsing go on. */
  private static final class UnknownFieldCollector extends DeserializationProblemHandler {
    private final String prefix;
    private final List<Problem> sink;

    UnknownFieldCollector(String prefix, List<Problem> sink) {
      this.prefix = prefix;
      this.sink = sink;
    }

    @Override
    public boolean handleUnknownProperty(
        DeserializationContext ctxt,
        JsonParser p,
        JsonDeserializer<?> deserializer,
        Object beanOrClass,
        String propertyName)
        throws IOException {
      String where = join(prefix, contextPath(p.getParsingContext()));
      sink.add(new Problem(where, "unknown field '" + propertyName + "'"));
      p.skipChildren();
      return true;
    }

    private static String contextPath(JsonStreamContext ctx) {
      Deque<String> parts = new ArrayDeque<>();
      for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
        if (c.inObject() && c.getCurrentName() != null) {
          parts.addFirst("." + c.getCurrentName());
        } else if (c.inArray()) {
          parts.addFirst("[" + Math.max(0, c.getCurrentIndex()) + "]");
        }
      }
      String s = String.join("", parts);
      return s.startsWith(".") ? s.substring(1) : s;
    }
  }
}
