package dev.keel.pipelines;

import java.net.URI;
import java.nio.file.Path;

/** Local paths of artifact URIs, as KFP's launcher maps them. */
final class LocalPaths {
  private LocalPaths() {}

  static String pathOf(String uri) {
    if (uri == null || uri.isEmpty()) {
      return "";
    }
    if (uri.startsWith("file://")) {
      return Path.of(URI.create(uri)).toString();
    }
    if (uri.startsWith("gs://")) {
      return "/gcs/" + uri.substring(5);
    }
    if (uri.startsWith("minio://")) {
      return "/minio/" + uri.substring(8);
    }
    if (uri.startsWith("s3://")) {
      return "/s3/" + uri.substring(5);
    }
    if (uri.startsWith("/")) {
      return uri;
    }
    return "";
  }

  /**
   * A URI as a program sees it: a local artifact's URI is its plain path, as in KFP's own local
   * runner, so components that open {@code uri.replace('gs://', '/gcs/')} find the file; remote
   * URIs pass unchanged.
   */
  static String forProgram(String uri) {
    return uri != null && uri.startsWith("file://") ? pathOf(uri) : uri;
  }

  /** A URI a program reported, back in stored form: a plain absolute path becomes a file URI. */
  static String fromProgram(String uri) {
    return uri != null && uri.startsWith("/") ? uriOf(Path.of(uri)) : uri;
  }

  static String uriOf(Path path) {
    return path.toAbsolutePath().normalize().toUri().toString();
  }

  /**
   * The URI of a path that does not exist yet (an output a task is about to write), as {@link
   * #uriOf} gives it but without its look at the file system (it asks whether the path is a folder,
   * to end the URI with a slash), when the path needs no escaping.
   */
  static String uriOfNew(Path path) {
    Path p = path.toAbsolutePath().normalize();
    String s = p.toString();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '/'
              || c == '.'
              || c == '-'
              || c == '_';
      if (!plain) {
        return p.toUri().toString();
      }
    }
    return "file://" + s;
  }
}
