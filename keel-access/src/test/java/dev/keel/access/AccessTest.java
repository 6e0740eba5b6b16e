package dev.keel.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ValidationException;
import dev.keel.store.ConflictException;
import dev.keel.store.NotFoundException;
import dev.keel.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTest {
  @TempDir Path dir;
  Store store;
  Access access;
  final Principal owner = Principal.user("olivia");
  final Principal root = new Principal("root", true);

  @BeforeEach
  void open() {
    store = Store.sqlite(dir.resolve("keel.db"));
    access = new Access(store, Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC));
    access.createProfile("team-a", "olivia", Map.of("cpu", "4", "pods", "10"));
    access.addContributor(owner, "team-a", "ada", Role.ADMIN);
    access.addContributor(owner, "team-a", "ed", Role.EDIT);
    access.addContributor(owner, "team-a", "vi", Role.VIEW);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void each_role_may_do_what_kfam_grants_and_nothing_more() {
    record Case(Principal who, boolean read, boolean write, boolean manage, boolean delete) {}
    for (Case c :
        new Case[] {
          new Case(owner, true, true, true, true),
          new Case(Principal.user("ada"), true, true, true, false),
          new Case(Principal.user("ed"), true, true, false, false),
          new Case(Principal.user("vi"), true, false, false, false),
          new Case(Principal.user("stranger"), false, false, false, false),
          new Case(root, true, true, true, true)
        }) {
      assertThat(access.can(c.who(), "team-a", Action.READ))
          .as(c.who() + " read")
          .isEqualTo(c.read());
      assertThat(access.can(c.who(), "team-a", Action.WRITE))
          .as(c.who() + " write")
          .isEqualTo(c.write());
      assertThat(access.can(c.who(), "team-a", Action.MANAGE_CONTRIBUTORS))
          .as(c.who() + " manage")
          .isEqualTo(c.manage());
      assertThat(access.can(c.who(), "team-a", Action.DELETE_PROFILE))
          .as(c.who() + " delete")
          .isEqualTo(c.delete());
    }
    // a namespace without a profile belongs to nobody but cluster admins
    assertThat(access.can(owner, "elsewhere", Action.READ)).isFalse();
    assertThat(access.can(root, "elsewhere", Action.WRITE)).isTrue();
  }

  @Test
  void a_denial_names_the_user_the_action_and_the_namespace() {
    assertThatThrownBy(() -> access.check(Principal.user("vi"), "team-a", Action.WRITE))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessage("user 'vi' may not change anything in namespace 'team-a'");
    assertThatThrownBy(
            () -> access.addContributor(Principal.user("ed"), "team-a", "mallory", Role.ADMIN))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("manage the contributors");
    assertThat(access.roleOf("mallory", "team-a")).isEmpty();
  }

  @Test
  void contributors_change_role_and_leave_and_see_their_namespaces() {
    access.addContributor(Principal.user("ada"), "team-a", "vi", Role.EDIT);
    assertThat(access.roleOf("vi", "team-a")).contains(Role.EDIT);
    access.createProfile("team-b", "vi", Map.of());
    assertThat(access.namespaces(Principal.user("vi"))).containsExactly("team-a", "team-b");
    access.removeContributor(owner, "team-a", "vi");
    assertThat(access.namespaces(Principal.user("vi"))).containsExactly("team-b");
    assertThat(access.namespaces(root)).containsExactly("team-a", "team-b");
    assertThatThrownBy(() -> access.removeContributor(owner, "team-a", "vi"))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> access.addContributor(owner, "team-a", "olivia", Role.VIEW))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("owns profile");
  }

  @Test
  void bad_profiles_are_refused_with_every_problem_named() {
    assertThatThrownBy(
            () ->
                access.createProfile(
                    "Team_A", "bad owner", Map.of("cpu", "lots", "gpus", "1", "memory", "4Gi")))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.path())
                    .containsExactlyInAnyOrder(
                        "name",
                        "owner",
                        "resourceQuotaSpec.hard.cpu",
                        "resourceQuotaSpec.hard.gpus"));
    assertThatThrownBy(() -> access.createProfile("team-a", "x", Map.of()))
        .isInstanceOf(ConflictException.class);
    assertThat(access.getProfile("team-a").orElseThrow().quota())
        .isEqualTo("{\"cpu\":\"4\",\"pods\":\"10\"}");
  }

  @Test
  void passwords_are_hashed_and_checked() {
    access.addUser("alice", "correct horse".toCharArray(), false);
    assertThat(store.users().get("alice").orElseThrow().passwordHash())
        .startsWith("$argon2id$")
        .doesNotContain("correct horse");
    assertThat(access.login("alice", "correct horse".toCharArray()))
        .contains(Principal.user("alice"));
    assertThat(access.login("alice", "wrong horse".toCharArray())).isEmpty();
    assertThat(access.login("nobody", "correct horse".toCharArray())).isEmpty();
    access.setPassword("alice", "battery staple".toCharArray());
    assertThat(access.login("alice", "correct horse".toCharArray())).isEmpty();
    assertThat(access.login("alice", "battery staple".toCharArray())).isPresent();
    assertThatThrownBy(() -> access.addUser("bob", "short".toCharArray(), false))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("password");
  }

  @Test
  void tokens_authenticate_until_revoked_or_their_user_is_removed() {
    access.addUser("alice", "correct horse".toCharArray(), true);
    Access.NewToken t = access.createToken("alice", "laptop");
    assertThat(t.token()).startsWith("keel_").hasSizeGreaterThan(40);
    assertThat(store.users().tokens("alice"))
        .singleElement()
        .satisfies(r -> assertThat(r.tokenHash()).isEqualTo(Access.sha256(t.token())));
    assertThat(access.authenticate(t.token())).contains(new Principal("alice", true));
    assertThat(access.tokens("alice").get(0).lastUsedAt()).isNotNull();
    assertThat(access.authenticate(t.token() + "x")).isEmpty();
    assertThat(access.authenticate("Bearer " + t.token())).isEmpty();
    access.revokeToken("alice", t.id());
    assertThat(access.authenticate(t.token())).isEmpty();

    Access.NewToken t2 = access.createToken("alice", "ci");
    access.removeUser("alice");
    assertThat(access.authenticate(t2.token())).isEmpty();
    assertThatThrownBy(() -> access.createToken("ghost", "x"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void a_quota_becomes_limits_taking_the_least_of_each_kind() {
    access.createProfile(
        "team-q",
        "olivia",
        Map.of("requests.cpu", "2", "limits.cpu", "1500m", "memory", "1Gi", "pods", "3"));
    assertThat(access.limits("team-q")).contains(new Access.Limits(1.5, 1L << 30, 3));
    assertThat(access.limits("team-a")).contains(new Access.Limits(4.0, null, 10));
    assertThat(access.limits("nowhere")).isEmpty();
  }
}
