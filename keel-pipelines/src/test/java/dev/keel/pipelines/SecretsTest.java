package dev.keel.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.store.RunRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kfp-kubernetes secretAsEnv, served from Keel's secret store. */
class SecretsTest extends EngineTests {
  @Test
  void secrets_named_by_constant_input_and_task_output_reach_the_environment() throws Exception {
    Instant now = Instant.now();
    f.store.secrets().put("default", "test-secret-1", Map.of("username", "user1"), now);
    f.store.secrets().put("default", "test-secret-2", Map.of("password", "psw1"), now);
    f.store.secrets().put("default", "test-secret-3", Map.of("password", "psw2"), now);
    RunRecord run =
        f.run(
            PipelineSpecReader.read(EngineFixture.conformance("pipeline_with_secret_as_env.yaml")));
    assertThat(run.state()).as(run.error()).isEqualTo("SUCCEEDED");
  }

  @Test
  void a_missing_secret_fails_the_task_saying_how_to_create_it() throws Exception {
    RunRecord run =
        f.run(
            PipelineSpecReader.read(EngineFixture.conformance("pipeline_with_secret_as_env.yaml")));
    assertThat(run.state()).isEqualTo("FAILED");
    assertThat(run.error())
        .contains("secret 'test-secret-1' not found in namespace 'default'")
        .contains("keel secrets create test-secret-1");
  }

  @Test
  void unsupported_platform_settings_are_reported_not_dropped() throws Exception {
    RunRecord run =
        f.run(PipelineSpecReader.read(EngineFixture.conformance("pipeline_with_volume.yaml")));
    assertThat(f.notes).anyMatch(n -> n.contains("pvcMount") && n.contains("not applied"));
    assertThat(f.store.runEvents().listByRun(run.id()))
        .anyMatch(
            e ->
                e.type().equals("Warning")
                    && e.message().contains("pvcMount")
                    && e.message().contains("not applied"));
  }
}
