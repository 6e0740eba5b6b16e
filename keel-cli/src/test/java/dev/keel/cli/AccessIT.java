package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users, tokens and profiles from the command line, on a data folder with no server. */
class AccessIT {
  @TempDir Path dir;

  @Test
  void an_administrator_sets_up_users_tokens_and_a_shared_profile() throws Exception {
    Path data = dir.resolve("data");
    var added =
        KeelProcess.runWithInput(
            data, "correct horse\n", "users", "add", "alice", "--password-stdin");
    assertThat(added.code()).as(added.all()).isZero();
    assertThat(added.out()).contains("user alice added");

    var weak = KeelProcess.runWithInput(data, "short\n", "users", "add", "bob", "--password-stdin");
    assertThat(weak.code()).isEqualTo(2);
    assertThat(weak.err()).contains("password: a password needs at least 8 characters");

    var token = KeelProcess.run(data, "tokens", "create", "--user", "alice", "--description", "ci");
    assertThat(token.code()).as(token.all()).isZero();
    assertThat(token.out().strip()).startsWith("keel_").doesNotContain(" ");
    assertThat(token.err()).contains("not shown again");
    var tokens = KeelProcess.run(data, "tokens", "list", "--user", "alice");
    assertThat(tokens.out()).contains("ci").doesNotContain(token.out().strip());

    var profile =
        KeelProcess.run(
            data,
            "profiles",
            "create",
            "team-a",
            "--owner",
            "alice",
            "--quota",
            "cpu=4",
            "--quota",
            "pods=2");
    assertThat(profile.code()).as(profile.all()).isZero();
    assertThat(
            KeelProcess.run(data, "profiles", "add-contributor", "team-a", "bob", "--role", "view")
                .code())
        .isZero();
    var badRole =
        KeelProcess.run(data, "profiles", "add-contributor", "team-a", "eve", "--role", "boss");
    assertThat(badRole.code()).isEqualTo(2);
    assertThat(badRole.err()).contains("--role: 'boss' is not a role");

    var list = KeelProcess.run(data, "profiles", "list");
    assertThat(list.out())
        .contains("team-a")
        .contains("alice")
        .contains("{\"cpu\":\"4\",\"pods\":\"2\"}")
        .contains("bob (view)")
        .doesNotContain("eve");
    assertThat(KeelProcess.run(data, "profiles", "remove-contributor", "team-a", "bob").code())
        .isZero();
    assertThat(KeelProcess.run(data, "profiles", "list").out()).doesNotContain("bob");
  }

  @Test
  void kubeflows_profile_yaml_is_read_strictly() throws Exception {
    Path data = dir.resolve("data");
    Path good = dir.resolve("profile.yaml");
    Files.writeString(
        good,
        """
        apiVersion: kubeflow.org/v1
        kind: Profile
        metadata:
          name: kubeflow-user-example-com
        spec:
          owner:
            kind: User
            name: user@example.com
          resourceQuotaSpec:
            hard:
              cpu: "2"
              memory: 4Gi
        """);
    var ok = KeelProcess.run(data, "profiles", "apply", "-f", good.toString());
    assertThat(ok.code()).as(ok.all()).isZero();
    assertThat(KeelProcess.run(data, "profiles", "list").out())
        .contains("kubeflow-user-example-com")
        .contains("user@example.com");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: kubeflow.org/v1
        kind: Profile
        metadata:
          name: Team_B
        spec:
          ownr: {kind: User, name: x}
          resourceQuotaSpec: {hard: {cpu: lots}}
        """);
    var refused = KeelProcess.run(data, "profiles", "apply", "-f", bad.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("spec.ownr: unknown field");
  }

  @Test
  void a_profiles_pod_quota_makes_its_tasks_wait_and_their_logs_say_why() throws Exception {
    Path data = dir.resolve("data");
    Path pipeline = dir.resolve("three.yaml");
    Files.writeString(
        pipeline,
        """
        pipelineInfo: {name: three}
        schemaVersion: 2.1.0
        components:
          comp-step: {executorLabel: exec-step}
        deploymentSpec:
          executors:
            exec-step: {container: {image: alpine, command: [sleep, "0.3"]}}
        root:
          dag:
            tasks:
              a: {componentRef: {name: comp-step}, cachingOptions: {}}
              b: {componentRef: {name: comp-step}, cachingOptions: {}}
              c: {componentRef: {name: comp-step}, cachingOptions: {}}
        """);
    assertThat(
            KeelProcess.run(
                    data, "profiles", "create", "team-q", "--owner", "alice", "--quota", "pods=1")
                .code())
        .isZero();
    var run =
        KeelProcess.run(
            data, "run", pipeline.toString(), "--namespace", "team-q", "--parallelism", "4");
    assertThat(run.code()).as(run.all()).isZero();
    String runId =
        run.out().lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow().split(" ")[1];
    StringBuilder logs = new StringBuilder();
    for (String task : new String[] {"a", "b", "c"}) {
      logs.append(KeelProcess.run(data, "runs", "logs", runId, task).out());
    }
    // one runs at a time: the two that waited say so
    assertThat(
            logs.toString().split("waited: namespace team-q has 1/1 running \\(quota pods\\)", -1))
        .hasSize(3);
  }
}
