package dev.keel.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Finding and killing what a dead Keel process left running. */
class KillStaleTest {
  @Test
  void killStale_kills_the_tree_when_pid_and_start_time_match() throws Exception {
    Process p =
        new ProcessBuilder("sh", "-c", "sleep 300 & wait")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      List<ProcessHandle> children =
          Awaitility.await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> p.descendants().toList(), l -> l.size() == 1);
      Instant started = p.info().startInstant().orElseThrow();

      assertThat(LocalRuntime.killStale(p.pid(), started.minusSeconds(30))).isFalse();
      assertThat(LocalRuntime.killStale(p.pid(), null)).isFalse();
      assertThat(p.isAlive()).isTrue();

      assertThat(LocalRuntime.killStale(p.pid(), started.plusMillis(500))).isTrue();
      assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(Fixture.runningAfter(children.get(0).pid(), 3000)).isFalse();

      assertThat(LocalRuntime.killStale(p.pid(), started)).isFalse(); // gone now
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void killTagged_kills_processes_by_environment_entry() throws Exception {
    String tag = "test-" + System.nanoTime();
    Process other =
        new ProcessBuilder("sleep", "300").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    ProcessBuilder tagged = new ProcessBuilder("sleep", "300");
    tagged.environment().put("KEEL_RUN_ID", tag);
    Process t = tagged.start();
    try {
      assertThat(LocalRuntime.killTagged("KEEL_RUN_ID", tag)).isEqualTo(1);
      assertThat(t.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(other.isAlive()).isTrue();
    } finally {
      other.destroyForcibly();
      t.destroyForcibly();
    }
  }
}
