package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a command served by the daemon learns of its client, and how Ctrl-C reaches it. */
class InvocationTest {
  @AfterEach
  void end() {
    Invocation.end();
  }

  @Test
  void a_clients_terminal_is_the_commands_terminal() {
    Invocation.begin(true);
    assertThat(Invocation.interactive()).isTrue();
    Invocation.begin(false);
    assertThat(Invocation.interactive()).isFalse();
    Invocation.end();
    assertThat(Invocation.interactive()).isEqualTo(System.console() != null);
  }

  @Test
  void ctrl_c_runs_what_the_command_registered_once_and_not_what_it_took_back() {
    Invocation client = Invocation.begin(false);
    List<String> ran = new ArrayList<>();
    Invocation.onInterrupt(() -> ran.add("terminate"));
    Invocation.Registration taken = Invocation.onInterrupt(() -> ran.add("taken back"));
    taken.close();

    client.interrupt();
    client.interrupt();

    assertThat(ran).containsExactly("terminate");
  }

  @Test
  void ctrl_c_before_the_command_registered_reaches_it_when_it_does() {
    Invocation client = Invocation.begin(false);
    client.interrupt(); // while the pipeline was still being read
    List<String> ran = new ArrayList<>();

    Invocation.onInterrupt(() -> ran.add("terminate"));

    assertThat(ran).containsExactly("terminate");
  }
}
