package dev.keel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteNativeTest {
  @TempDir Path cache;

  @Test
  void the_library_is_copied_once_and_found_again_by_later_processes() throws Exception {
    Optional<Path> lib = SqliteNative.prepare(cache);
    assumeTrue(lib.isPresent(), "not a machine whose library is prepared (glibc Linux)");
    assertThat(lib.get()).startsWith(cache).hasFileName(SqliteNative.LIBRARY);
    String resource =
        SqliteNative.resourceFor(System.getProperty("os.name"), archFolder()).orElseThrow();
    try (InputStream in = org.sqlite.JDBC.class.getResourceAsStream(resource)) {
      assertThat(Files.readAllBytes(lib.get())).isEqualTo(in.readAllBytes());
    }
    FileTime written = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(lib.get(), written);

    assertThat(SqliteNative.prepare(cache)).contains(lib.get());
    assertThat(Files.getLastModifiedTime(lib.get())).isEqualTo(written); // not written again
    try (var left = Files.list(lib.get().getParent())) {
      assertThat(left).containsExactly(lib.get()); // no partial copies left behind
    }
  }

  @Test
  void a_copy_cut_short_is_made_again() throws Exception {
    Optional<Path> lib = SqliteNative.prepare(cache);
    assumeTrue(lib.isPresent(), "not a machine whose library is prepared (glibc Linux)");
    long size = Files.size(lib.get());
    Files.write(lib.get(), new byte[] {1, 2, 3});

    assertThat(SqliteNative.prepare(cache)).contains(lib.get());
    assertThat(Files.size(lib.get())).isEqualTo(size);
  }

  @Test
  void an_unwritable_cache_leaves_the_driver_to_load_its_library_itself() throws Exception {
    Path file = Files.writeString(cache.resolve("a-file"), "not a folder");
    assertThat(SqliteNative.prepare(file.resolve("keel"))).isEmpty();
  }

  @Test
  void only_linux_on_the_two_prepared_architectures_is_prepared() {
    assertThat(SqliteNative.resourceFor("Linux", "x86_64"))
        .contains("/org/sqlite/native/Linux/x86_64/libsqlitejdbc.so");
    assertThat(SqliteNative.resourceFor("Linux", "aarch64"))
        .contains("/org/sqlite/native/Linux/aarch64/libsqlitejdbc.so");
    assertThat(SqliteNative.resourceFor("Mac OS X", "aarch64")).isEmpty();
    assertThat(SqliteNative.resourceFor("Windows 11", "x86_64")).isEmpty();
    assertThat(SqliteNative.resourceFor("Linux", null)).isEmpty();
  }

  @Test
  void a_store_opened_loads_the_library_from_the_cache() throws Exception {
    assumeTrue(
        SqliteNative.prepare(cache).isPresent(),
        "not a machine whose library is prepared (glibc Linux)");
    try (Store store = Store.sqlite(cache.resolve("keel.db"))) {
      assertThat(store.runs().listUnfinished()).isEmpty();
    }
    String path = System.getProperty("org.sqlite.lib.path");
    assertThat(path).isNotNull();
    assertThat(Path.of(path, System.getProperty("org.sqlite.lib.name"))).isRegularFile();
  }

  private static String archFolder() {
    String arch = System.getProperty("os.arch");
    return arch.equals("amd64") ? "x86_64" : arch;
  }
}
