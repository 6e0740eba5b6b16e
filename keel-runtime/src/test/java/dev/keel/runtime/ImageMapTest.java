package dev.keel.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ValidationException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in image map, user files and their errors. */
class ImageMapTest {
  @TempDir Path dir;
  final ImageMap defaults = ImageMap.defaults();

  @Test
  void python_images_map_to_the_system_python() {
    String expected =
        Files.isExecutable(Path.of("/usr/bin/python3"))
            ? "/usr/bin/python3"
            : defaults.resolve("python").programs().get("python3");
    for (String image :
        new String[] {
          "python",
          "python:3.11",
          "docker.io/library/python:3.12-slim",
          "registry.access.redhat.com/ubi9/python-311:latest",
          "gcr.io/team/my-python-image@sha256:0123",
          "quay.io/x/python3"
        }) {
      ImageMapping m = defaults.resolve(image);
      assertThat(m.programs()).as(image).containsEntry("python3", expected);
      assertThat(m.programs()).as(image).containsEntry("python", expected);
      assertThat(m.description()).as(image).isEqualTo("local " + expected);
      assertThat(m.env().get("PATH")).as(image).startsWith(Path.of(expected).getParent() + ":");
    }
    // "python" in a registry or folder name is not a python image
    assertThat(defaults.resolve("gcr.io/python-team/trainer:1").programs()).isEmpty();
  }

  @Test
  void small_linux_images_run_host_programs() {
    for (String image :
        new String[] {
          "alpine", "alpine:3.19", "busybox", "docker.io/library/ubuntu:22.04", "debian:12"
        }) {
      ImageMapping m = defaults.resolve(image);
      assertThat(m.programs()).as(image).isEmpty();
      assertThat(m.description()).as(image).isEqualTo("host programs (/bin/sh and PATH)");
    }
  }

  @Test
  void keel_java_runs_this_jvm_with_keels_classpath() {
    ImageMapping m = defaults.resolve("keel/java:17");
    assertThat(m.programs())
        .containsEntry("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String own =
        Path.of(LocalRuntime.class.getProtectionDomain().getCodeSource().getLocation().getPath())
            .toAbsolutePath()
            .normalize()
            .toString();
    assertThat(m.env().get("CLASSPATH").split(File.pathSeparator)).contains(own);
  }

  @Test
  void keel_java_classpath_can_be_overridden() {
    String old = System.getProperty("keel.java.classpath");
    System.setProperty("keel.java.classpath", "/opt/keel/keel.jar");
    try {
      assertThat(ImageMap.defaults().resolve("keel/java").env())
          .containsEntry("CLASSPATH", "/opt/keel/keel.jar");
    } finally {
      if (old == null) {
        System.clearProperty("keel.java.classpath");
      } else {
        System.setProperty("keel.java.classpath", old);
      }
    }
  }

  @Test
  void unknown_images_run_host_programs_and_say_so() {
    ImageMapping m = defaults.resolve("gcr.io/my/image:2");
    assertThat(m).isNotNull();
    assertThat(m.programs()).isEmpty();
    assertThat(m.description())
        .isEqualTo("image 'gcr.io/my/image:2' is not in the image map; running host programs");
    assertThat(defaults.resolve(null).description()).contains("no image");
    assertThat(defaults.resolve("  ").description()).contains("no image");
  }

  @Test
  void with_puts_an_entry_first_and_leaves_the_original_alone() {
    ImageMap mine =
        defaults.with(
            "python:3.9*",
            new ImageMapping("ignored", Map.of("python3", "/opt/py39"), null, "py39"));
    assertThat(mine.resolve("python:3.9-slim").programs()).containsEntry("python3", "/opt/py39");
    assertThat(mine.resolve("python:3.9-slim").pattern()).isEqualTo("python:3.9*");
    assertThat(mine.resolve("python:3.11").description()).isNotEqualTo("py39");
    assertThat(defaults.resolve("python:3.9-slim").description()).isNotEqualTo("py39");
  }

  @Test
  void a_user_file_takes_precedence_over_the_defaults() throws Exception {
    Path file = dir.resolve("images.yaml");
    Files.writeString(
        file,
        """
        images:
          - pattern: "gcr.io/my/*"
            programs: {trainer: /bin/echo}
            env: {MODE: local}
          - pattern: "python:*"
            programs: {python3: /opt/python/bin/python3}
            description: the team's python
        """);
    ImageMap map = ImageMap.load(file);
    ImageMapping mine = map.resolve("gcr.io/my/image");
    assertThat(mine.programs()).containsEntry("trainer", "/bin/echo");
    assertThat(mine.env()).containsEntry("MODE", "local");
    assertThat(mine.description()).isEqualTo("local /bin/echo");
    assertThat(map.resolve("python:3.11").description()).isEqualTo("the team's python");
    assertThat(map.resolve("python").programs()).containsKey("python"); // defaults still there
    assertThat(map.resolve("alpine").description()).contains("host programs");
  }

  @Test
  void a_user_mapping_runs_its_program() throws Exception {
    Path file = dir.resolve("images.yaml");
    Files.writeString(
        file, "images:\n  - pattern: \"gcr.io/my/*\"\n    programs: {trainer: /bin/echo}\n");
    try (LocalRuntime rt = LocalRuntime.builder().imageMap(ImageMap.load(file)).build()) {
      Workload w =
          rt.launch(
              Fixture.spec(dir, "trainer", "fit", "--epochs=3").image("gcr.io/my/image").build());
      assertThat(Fixture.await(w).phase()).isEqualTo(Phase.SUCCEEDED);
      assertThat(Fixture.log(w))
          .isEqualTo("[keel] image gcr.io/my/image → local /bin/echo\nfit --epochs=3\n");
    }
  }

  @Test
  void a_bad_file_names_the_entry_and_field() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        images:
          - programs: {x: /bin/x}
            colour: red
          - pattern: ok*
            programs: [a, b]
          - pattern: ok2*
            env: {A: {nested: 1}}
          - just a string
        """);
    assertThatThrownBy(() -> ImageMap.load(file))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(file + ": images[0].colour: unknown field")
        .hasMessageContaining(file + ": images[0].pattern: required")
        .hasMessageContaining(file + ": images[1].programs: expected a mapping")
        .hasMessageContaining(file + ": images[2].env.A: expected a string")
        .hasMessageContaining(file + ": images[3]: expected a mapping");
  }

  @Test
  void an_unreadable_or_malformed_file_names_the_file() throws Exception {
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> ImageMap.load(missing))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("cannot read image map");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "images: [ {pattern: a\n");
    assertThatThrownBy(() -> ImageMap.load(broken))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(broken.toString());
    Path noList = dir.resolve("nolist.yaml");
    Files.writeString(noList, "imagez: []\n");
    assertThatThrownBy(() -> ImageMap.load(noList))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(noList + ": images: expected a list");
  }
}
