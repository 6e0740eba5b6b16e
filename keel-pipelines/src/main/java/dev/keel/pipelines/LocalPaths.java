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
}
