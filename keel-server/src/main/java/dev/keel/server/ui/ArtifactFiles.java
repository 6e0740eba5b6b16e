package dev.keel.server.ui;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The files of artifacts, found only through the store: an artifact's URI must name a regular file
 * that lies, once links are followed, under the artifact folder of the run that made it. Anything
 * else (another run's folder, {@code /etc/passwd}, a remote URI) is not served.
 */
public final class ArtifactFiles {
  private ArtifactFiles() {}

  /** The most bytes shown in a frame or served for download. */
  public static final long MAX_BYTES = 64L << 20;

  /** The file, or why it cannot be served. */
  public record Found(Path file, String problem) {
    public boolean ok() {
      return file != null;
    }
  }

  /**
   * The file an artifact's {@code uri} names, when it is a regular file under {@code runRoot} (both
   * with links resolved).
   */
  public static Found resolve(String uri, Path runRoot) {
    if (uri == null || uri.isBlank()) {
      return new Found(null, "the artifact has no URI");
    }
    if (!uri.startsWith("file:")) {
      return new Found(null, "the artifact is at " + uri + ", not on this machine");
    }
    if (runRoot == null) {
      return new Found(null, "this server does not serve artifact files");
    }
    Path file;
    try {
      file = Path.of(URI.create(uri));
    } catch (RuntimeException e) {
      return new Found(null, "the artifact's URI is not a file path");
    }
    Path real;
    Path root;
    try {
      root = runRoot.toRealPath();
    } catch (IOException e) {
      return new Found(null, "the run has no artifact files on this machine");
    }
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      return new Found(null, "the artifact's file is missing");
    }
    if (!real.startsWith(root)) {
      return new Found(null, "the artifact's file is not under its run's artifact folder");
    }
    if (Files.isDirectory(real)) {
      return new Found(null, "the artifact is a folder, not a file");
    }
    if (!Files.isRegularFile(real)) {
      return new Found(null, "the artifact is not a regular file");
    }
    return new Found(real, null);
  }

  private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
  private static final Parser MARKDOWN = Parser.builder().extensions(EXTENSIONS).build();
  private static final HtmlRenderer RENDERER =
      HtmlRenderer.builder().extensions(EXTENSIONS).escapeHtml(true).sanitizeUrls(true).build();

  /** Markdown as HTML: raw HTML in it is shown as text, and unsafe link schemes are dropped. */
  public static String markdown(String text) {
    return RENDERER.render(MARKDOWN.parse(text));
  }

  /** A whole document around a fragment of HTML, with a plain readable style. */
  public static String document(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
        + Views.escape(title)
        + "</title><style>"
        + "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;"
        + "line-height:1.5;color:#1d2430;margin:.8rem;overflow-wrap:anywhere}"
        + "pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}"
        + "pre{background:#f1f3f6;padding:.6rem;overflow:auto}"
        + "table{border-collapse:collapse}th,td{border:1px solid #d9dee5;padding:.3rem .5rem}"
        + "img{max-width:100%}"
        + "</style></head><body>"
        + body
        + "</body></html>";
  }
}
