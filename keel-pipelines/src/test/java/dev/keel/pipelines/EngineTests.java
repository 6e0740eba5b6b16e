package dev.keel.pipelines;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that run pipelines: a fresh {@link EngineFixture} in a temp folder for each test. */
abstract class EngineTests {
  @TempDir Path dir;
  EngineFixture f;

  @BeforeEach
  void openEngine() {
    f = new EngineFixture(dir);
  }

  @AfterEach
  void closeEngine() {
    f.close();
  }
}
