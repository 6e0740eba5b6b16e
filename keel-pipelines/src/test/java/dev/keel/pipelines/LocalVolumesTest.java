package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalVolumesTest {
  @TempDir Path root;

  @Test
  void the_stub_images_of_create_and_delete_pvc_are_volume_steps() {
    assertThat(LocalVolumes.step("argostub/createpvc")).isEqualTo(LocalVolumes.Step.CREATE);
    assertThat(LocalVolumes.step("argostub/deletepvc:latest")).isEqualTo(LocalVolumes.Step.DELETE);
    assertThat(LocalVolumes.step("python:3.11")).isNull();
    assertThat(LocalVolumes.step(null)).isNull();
  }

  @Test
  void a_volume_is_named_after_the_run_plus_the_suffix_or_as_given() {
    Map<String, JsonNode> suffix = Map.of("pvc_name_suffix", TextNode.valueOf("-my-pvc"));
    assertThat(LocalVolumes.nameFor(suffix, "Pipe-1a2b3c4d")).isEqualTo("pipe-1a2b3c4d-my-pvc");
    assertThat(LocalVolumes.nameFor(Map.of("pvc_name", TextNode.valueOf("data")), "x"))
        .isEqualTo("data");
    assertThatThrownBy(() -> LocalVolumes.nameFor(Map.of(), "x")).hasMessageContaining("pvc_name");
  }

  @Test
  void create_makes_a_folder_and_delete_removes_it_with_its_files() throws Exception {
    LocalVolumes v = new LocalVolumes(root);
    assertThat(v.create("team-a", "data")).startsWith("created volume data");
    Path dir = root.resolve("team-a").resolve("data");
    Files.writeString(dir.resolve("file.txt"), "hello");
    assertThat(v.create("team-a", "data")).startsWith("volume data exists");
    assertThat(dir.resolve("file.txt")).hasContent("hello");
    assertThat(v.delete("team-a", "data")).startsWith("deleted volume data");
    assertThat(dir).doesNotExist();
    assertThat(v.delete("team-a", "data")).contains("does not exist");
  }

  @Test
  void a_name_that_would_leave_the_volume_folder_is_refused() {
    LocalVolumes v = new LocalVolumes(root);
    assertThatThrownBy(() -> v.create("team-a", "../../etc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inputs.pvc_name")
        .hasMessageContaining("'../../etc'");
    assertThatThrownBy(() -> v.delete("..", "data")).hasMessageContaining("namespace");
    assertThat(root).isEmptyDirectory();
  }
}
