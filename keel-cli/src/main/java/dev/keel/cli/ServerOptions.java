package dev.keel.cli;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import picocli.CommandLine.Option;

/** Which Keel server a command talks to instead of the data folder, and the token it signs with. */
final class ServerOptions {
  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "Work through this Keel server's API instead of the data folder (default: $KEEL_SERVER).")
  String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "The token sent to --server as a bearer token (default: $KEEL_TOKEN).")
  String token;

  /** The server's base URL, or {@code null} to work on the data folder. */
  String url() {
    String u = server != null ? server : System.getenv("KEEL_SERVER");
    if (u == null || u.isBlank()) {
      return null;
    }
    u = u.strip();
    if (!u.startsWith("http://") && !u.startsWith("https://")) {
      throw new ValidationException(
          new Problem("--server", "'" + u + "' is not an http:// or https:// URL"));
    }
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }

  /** A client of the server, or {@code null} when none is named. */
  KatibClient client() {
    String u = url();
    if (u == null) {
      return null;
    }
    String t = token != null ? token : System.getenv("KEEL_TOKEN");
    return new KatibClient(u, t == null || t.isBlank() ? null : t.strip());
  }
}
