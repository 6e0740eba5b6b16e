package dev.keel.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Points sqlite-jdbc at a copy of its native library kept in Keel's cache folder, made once for
 * each build of the library.
 *
 * <p>Left to itself, the driver does two things at every start of every process: it runs {@code
 * uname -o}, to tell Android from Linux, and it writes its 1 MB library into the temporary folder,
 * to delete it at exit. Together that is about 50 ms of a command's start, and a file made and
 * removed each time. With {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} set, it loads
 * the library from there and does neither.
 *
 * <p>Only glibc Linux on x86-64 and ARM64 is prepared here; elsewhere, when the properties are
 * already set, or when the cache folder cannot be written, the driver loads its library its own
 * way.
 */
final class SqliteNative {
  static final String LIBRARY = "libsqlitejdbc.so";

  private static volatile boolean prepared;

  private SqliteNative() {}

  /** Prepares the library and sets the driver's properties, once per process. */
  static void prepare() {
    if (prepared) {
      return;
    }
    synchronized (SqliteNative.class) {
      if (!prepared) {
        if (System.getProperty("org.sqlite.lib.path") == null) {
          cacheRoot()
              .flatMap(SqliteNative::prepare)
              .ifPresent(
                  lib -> {
                    System.setProperty("org.sqlite.lib.path", lib.getParent().toString());
                    System.setProperty("org.sqlite.lib.name", LIBRARY);
                  });
        }
        prepared = true;
      }
    }
  }

  /**
   * The library for this machine, copied under {@code cacheRoot} unless an earlier process did;
   * empty when this machine is not one prepared here or the copy cannot be made.
   */
  static Optional<Path> prepare(Path cacheRoot) {
    Optional<String> resource = resourceFor(System.getProperty("os.name"), arch());
    URL url = resource.map(org.sqlite.JDBC.class::getResource).orElse(null);
    if (url == null || musl()) {
      return Optional.empty();
    }
    try {
      URLConnection conn = url.openConnection();
      long size;
      String build;
      if (conn instanceof JarURLConnection jar) {
        size = jar.getJarEntry().getSize();
        build = Long.toHexString(jar.getJarEntry().getCrc());
      } else {
        size = conn.getContentLengthLong();
        build = Long.toHexString(conn.getLastModified());
      }
      if (size <= 0) {
        return Optional.empty();
      }
      Path lib = cacheRoot.resolve("sqlite-" + build + "-" + size).resolve(LIBRARY);
      if (Files.isRegularFile(lib) && Files.size(lib) == size) {
        return Optional.of(lib);
      }
      Files.createDirectories(lib.getParent());
      // written beside it and moved into place: a process that finds the file finds all of it
      Path part = Files.createTempFile(lib.getParent(), LIBRARY, ".part");
      try {
        try (InputStream in = conn.getInputStream()) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.size(part) != size) {
          return Optional.empty();
        }
        try {
          Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(part, lib, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(part);
      }
      return Optional.of(lib);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // the driver extracts its library itself, as it always could
    }
  }

  /** The driver's resource for this system's library, for glibc Linux on x86-64 and ARM64. */
  static Optional<String> resourceFor(String osName, String arch) {
    if (osName == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux") || arch == null) {
      return Optional.empty();
    }
    return Optional.of("/org/sqlite/native/Linux/" + arch + "/" + LIBRARY);
  }

  private static String arch() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      default -> null;
    };
  }

  /** Whether the C library is musl, for which the driver has other builds. */
  private static boolean musl() {
    try (var libs = Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*")) {
      return libs.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code $XDG_CACHE_HOME/keel}, or {@code ~/.cache/keel}. */
  private static Optional<Path> cacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Optional.of(Path.of(xdg, "keel"));
    }
    String home = System.getProperty("user.home");
    if (home == null || home.isBlank() || home.equals("?")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(home, ".cache", "keel"));
  }
}
