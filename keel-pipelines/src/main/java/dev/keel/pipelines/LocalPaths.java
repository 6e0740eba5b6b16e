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

  static String uriOf(Path path) {
    return path.toAbsolutePath().normalize().toUri().toString();
  }
}
