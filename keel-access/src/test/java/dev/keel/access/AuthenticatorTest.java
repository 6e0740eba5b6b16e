package dev.keel.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
  @TempDir Path dir;
  Store store;
  Access access;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A request as a browser or a script sends it. */
  static final class Req implements Authenticator.Request {
    final String method;
    final Map<String, String> headers = new HashMap<>();
    final Map<String, String> cookies = new HashMap<>();

    Req(String method) {
      this.method = method;
    }

    Req header(String k, String v) {
      headers.put(k, v);
      return this;
    }

    Req cookie(String k, String v) {
      cookies.put(k, v);
      return this;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String header(String name) {
      return headers.get(name);
    }

    @Override
    public String cookie(String name) {
      return cookies.get(name);
    }
  }

  @BeforeEach
  void open() {
    store = Store.sqlite(dir.resolve("keel.db"));
    access = new Access(store, clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void token_mode_knows_its_token_and_the_sessions_it_made() {
    Authenticator auth = Authenticator.token(null, access, clock);
    assertThat(auth.token()).hasSizeGreaterThan(20);
    assertThat(auth.authenticate(new Req("GET")).problem()).contains("open the URL Keel printed");
    var bearer =
        auth.authenticate(new Req("GET").header("Authorization", "Bearer " + auth.token()));
    assertThat(bearer.principal()).isEqualTo(Authenticator.TOKEN_HOLDER);
    assertThat(bearer.viaCookie()).isFalse();
    assertThat(auth.authenticate(new Req("GET").header("Authorization", "Bearer nope")).ok())
        .isFalse();
    assertThat(auth.authenticate(new Req("GET").header("Authorization", "Basic abc")).problem())
        .contains("Bearer");

    String session = auth.newSession("keel");
    var viaCookie = auth.authenticate(new Req("GET").cookie(Authenticator.SESSION_COOKIE, session));
    assertThat(viaCookie.principal()).isEqualTo(Authenticator.TOKEN_HOLDER);
    assertThat(viaCookie.viaCookie()).isTrue();

    // another server's session, a forged one and an expired one are refused
    String other = Authenticator.token("x", access, clock).newSession("keel");
    assertThat(auth.authenticate(new Req("GET").cookie(Authenticator.SESSION_COOKIE, other)).ok())
        .isFalse();
    String forged = session.substring(0, session.lastIndexOf('.') + 1) + "AAAA";
    assertThat(auth.authenticate(new Req("GET").cookie(Authenticator.SESSION_COOKIE, forged)).ok())
        .isFalse();
    clock.now = clock.now.plus(Duration.ofHours(13));
    assertThat(
            auth.authenticate(new Req("GET").cookie(Authenticator.SESSION_COOKIE, session))
                .problem())
        .contains("expired");
  }

  @Test
  void a_fixed_token_is_used_as_given() {
    Authenticator auth = Authenticator.token("s3cret-token", access, clock);
    assertThat(auth.token()).isEqualTo("s3cret-token");
    assertThat(auth.isServerToken("s3cret-token")).isTrue();
    assertThat(auth.isServerToken("s3cret-toke")).isFalse();
  }

  @Test
  void users_mode_takes_api_tokens_and_sessions_of_built_in_users() {
    access.addUser("alice", "correct horse".toCharArray(), false);
    access.addUser("root", "correct horse".toCharArray(), true);
    Authenticator auth = Authenticator.users(access, clock);
    Access.NewToken t = access.createToken("alice", "ci");
    assertThat(
            auth.authenticate(new Req("GET").header("Authorization", "Bearer " + t.token()))
                .principal())
        .isEqualTo(Principal.user("alice"));
    assertThat(
            auth.authenticate(
                    new Req("GET").cookie(Authenticator.SESSION_COOKIE, auth.newSession("root")))
                .principal())
        .isEqualTo(new Principal("root", true));
    assertThat(auth.authenticate(new Req("GET")).problem()).contains("log in");
  }

  @Test
  void header_mode_trusts_the_proxy_header_and_strips_its_prefix() {
    Authenticator auth =
        Authenticator.header("kubeflow-userid", "accounts.google.com:", access, clock);
    assertThat(
            auth.authenticate(
                    new Req("GET").header("kubeflow-userid", "accounts.google.com:jane@x.org"))
                .principal())
        .isEqualTo(Principal.user("jane@x.org"));
    assertThat(auth.authenticate(new Req("GET").header("kubeflow-userid", "jane@x.org")).problem())
        .contains("does not start with");
    assertThat(auth.authenticate(new Req("GET")).problem()).contains("no kubeflow-userid header");
  }

  @Test
  void a_browser_session_changes_state_only_with_the_csrf_header() {
    Authenticator auth = Authenticator.token(null, access, clock);
    String session = auth.newSession("keel");
    String csrf = Authenticator.newCsrfToken();
    Req post =
        new Req("POST")
            .cookie(Authenticator.SESSION_COOKIE, session)
            .cookie(Authenticator.CSRF_COOKIE, csrf);
    var who = auth.authenticate(post);
    assertThat(Authenticator.csrfProblem(post, who)).contains("X-Keel-CSRF");
    post.header(Authenticator.CSRF_HEADER, "guess");
    assertThat(Authenticator.csrfProblem(post, who)).isNotNull();
    post.header(Authenticator.CSRF_HEADER, csrf);
    assertThat(Authenticator.csrfProblem(post, who)).isNull();
    // reading needs no proof, and neither does a script with a bearer token
    Req get = new Req("GET").cookie(Authenticator.SESSION_COOKIE, session);
    assertThat(Authenticator.csrfProblem(get, auth.authenticate(get))).isNull();
    Req script = new Req("DELETE").header("Authorization", "Bearer " + auth.token());
    assertThat(Authenticator.csrfProblem(script, auth.authenticate(script))).isNull();
  }
}
