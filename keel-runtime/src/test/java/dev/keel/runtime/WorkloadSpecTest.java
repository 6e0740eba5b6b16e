package dev.keel.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SPI's value types. */
class WorkloadSpecTest {
  final Path dir = Path.of("/tmp/keel-spec-test");

  @Test
  void builder_defaults() {
    WorkloadSpec s = WorkloadSpec.builder("w").workingDir(dir).logFile(dir.resolve("log")).build();
    assertThat(s.namespace()).isEqualTo("default");
    assertThat(s.env()).isEmpty();
    assertThat(s.resources()).isEqualTo(ResourceRequest.NONE);
    assertThat(s.logLimitBytes()).isEqualTo(10L << 20);
    assertThat(s.timeout()).isNull();
    assertThat(s.directories()).isEmpty();
  }

  @Test
  void argv_is_command_then_args() {
    WorkloadSpec s =
        WorkloadSpec.builder("w")
            .command("python3", "-c")
            .args("print(1)", "x")
            .workingDir(dir)
            .logFile(dir.resolve("log"))
            .build();
    assertThat(s.argv()).containsExactly("python3", "-c", "print(1)", "x");
  }

  @Test
  void the_spi_constructor_matches_the_builder() {
    WorkloadSpec fromCtor =
        new WorkloadSpec(
            "w",
            "ns",
            "run-1",
            "python:3.11",
            List.of("python3"),
            List.of("-V"),
            Map.of("A", "1"),
            dir,
            ResourceRequest.of("1", "1Gi"),
            dir.resolve("log"),
            1000,
            Duration.ofSeconds(5));
    WorkloadSpec fromBuilder =
        WorkloadSpec.builder("w")
            .namespace("ns")
            .owner("run-1")
            .image("python:3.11")
            .command(List.of("python3"))
            .args(List.of("-V"))
            .env("A", "1")
            .workingDir(dir)
            .resources(ResourceRequest.of("1", "1Gi"))
            .logFile(dir.resolve("log"))
            .logLimitBytes(1000)
            .timeout(Duration.ofSeconds(5))
            .build();
    assertThat(fromCtor).isEqualTo(fromBuilder);
  }

  @Test
  void bad_specs_are_refused_with_the_workload_named() {
    assertThatThrownBy(() -> WorkloadSpec.builder("train").logFile(dir).build())
        .hasMessageContaining("'train'")
        .hasMessageContaining("working directory");
    assertThatThrownBy(
            () ->
                WorkloadSpec.builder("train").workingDir(dir).logFile(dir).logLimitBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("logLimitBytes");
  }

  @Test
  void resource_requests_read_kubernetes_quantities() {
    assertThat(ResourceRequest.of("500m", "1Gi")).isEqualTo(new ResourceRequest(0.5, 1L << 30, 0));
    assertThat(ResourceRequest.of("2", null)).isEqualTo(new ResourceRequest(2, 0, 0));
    assertThat(ResourceRequest.of(null, null)).isEqualTo(ResourceRequest.NONE);
    assertThatThrownBy(() -> new ResourceRequest(-1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void terminal_phases() {
    assertThat(Phase.PENDING.isTerminal()).isFalse();
    assertThat(Phase.RUNNING.isTerminal()).isFalse();
    assertThat(Phase.SUCCEEDED.isTerminal()).isTrue();
    assertThat(Phase.FAILED.isTerminal()).isTrue();
  }

  @Test
  void durations_read_well_in_messages() {
    assertThat(LocalWorkload.human(Duration.ofMillis(300))).isEqualTo("300 ms");
    assertThat(LocalWorkload.human(Duration.ofSeconds(90))).isEqualTo("90 s");
    assertThat(LocalWorkload.human(Duration.ofMinutes(5))).isEqualTo("5 min");
  }
}
