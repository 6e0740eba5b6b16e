package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.keel.core.Json;
import dev.keel.store.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KFP lightweight Python components, run offline with Keel's kfp runtime. */
class PythonComponentsTest extends EngineTests {
  static String addNumbers() throws Exception {
    return Files.readString(EngineFixture.conformance("add_numbers.yaml"));
  }

  @Test
  void the_pip_stage_is_dropped_and_packages_are_read() {
    var launch =
        PythonComponents.recognise(
            java.util.List.of(
                "sh",
                "-c",
                "python3 -m pip install --quiet 'kfp==2.14.3' '--no-deps' && python3 -m pip install"
                    + " --quiet --no-warn-script-location 'scikit-learn' 'pandas==2.1' && \"$0\" \"$@\"",
                "sh",
                "-ec",
                "python3 -m kfp.dsl.executor_main --component_module_path x",
                "def f(): pass"));
    assertThat(launch).isNotNull();
    assertThat(launch.command()).startsWith("sh", "-ec").hasSize(4);
    assertThat(launch.packages()).containsExactly("scikit-learn", "pandas==2.1");
    assertThat(PythonComponents.recognise(java.util.List.of("sh", "-c", "echo hi"))).isNull();
  }

  @Test
  void a_python_function_runs_without_pip_or_network() throws Exception {
    RunRecord run =
        f.run(
            EngineFixture.yaml(addNumbers()),
            Map.of("a", IntNode.valueOf(40), "b", IntNode.valueOf(2)));
    assertThat(run.state()).as(run.error()).isEqualTo("SUCCEEDED");
    assertThat(Json.parse(run.outputs()).at("/parameters/Output").asInt()).isEqualTo(42);
    // the source KFP's launcher writes to `mktemp -d` lands in the task's folder, not in /tmp
    Path taskDir = Path.of(f.tasks(run.id()).get(0).logPath()).getParent();
    try (var written = Files.find(taskDir, 2, (p, a) -> p.endsWith("ephemeral_component.py"))) {
      assertThat(written.toList())
          .singleElement()
          .satisfies(p -> assertThat(p).startsWith(taskDir));
    }
  }

  @Test
  void a_missing_package_fails_the_task_at_once_naming_it() throws Exception {
    String yaml =
        addNumbers().replaceFirst("'--no-deps'", "'--no-deps' 'surely-missing-package==1.0'");
    RunRecord run =
        f.run(EngineFixture.yaml(yaml), Map.of("a", IntNode.valueOf(1), "b", IntNode.valueOf(2)));
    assertThat(run.state()).isEqualTo("FAILED");
    String log = Files.readString(Path.of(f.tasks(run.id()).get(0).logPath()));
    assertThat(log)
        .contains("surely-missing-package==1.0 (module surely_missing_package)")
        .contains("Keel runs offline");
  }
}
