package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPathsTest {
  @TempDir Path dir;

  @Test
  void the_uri_of_a_new_path_is_the_one_the_file_system_gives_and_maps_back_to_it() {
    for (String name :
        new String[] {"s1/out", "for-loop-1/0/step/model.onnx", "a b/c", "ünï/%20/x#y", "q?r"}) {
      Path p = dir.resolve("runs").resolve(name);
      String uri = LocalPaths.uriOfNew(p);
      assertThat(uri).as(name).isEqualTo(LocalPaths.uriOf(p));
      assertThat(LocalPaths.pathOf(uri)).as(name).isEqualTo(p.toString());
    }
  }
}
