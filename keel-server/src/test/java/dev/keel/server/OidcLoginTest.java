package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.keel.access.Authenticator;
import dev.keel.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --auth oidc} against a provider started in the test: the whole browser sign-in, the
 * session it leaves and what that user may do, and every way a sign-in is refused.
 */
class OidcLoginTest {
  @TempDir Path dir;
  FakeOidcProvider provider;
  TestKeel keel;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeEach
  void start() throws Exception {
    provider = new FakeOidcProvider();
    OidcLogin oidc =
        OidcLogin.discover(
            OidcLogin.Settings.of(
                provider.issuer(), FakeOidcProvider.CLIENT_ID, FakeOidcProvider.CLIENT_SECRET),
            Clock.systemUTC());
    keel = TestKeel.builder(dir).parallelism(1).oidc(oidc).start();
    keel.access().createProfile("alice", "alice@example.com", Map.of());
    keel.access().createProfile("bob", "bob@example.com", Map.of());
  }

  @AfterEach
  void stop() {
    keel.close();
    provider.close();
  }

  /** A browser: a cookie jar (name to value, any host and path) and redirects followed by hand. */
  final class Browser {
    final Map<String, String> cookies = new LinkedHashMap<>();
    final List<String> setCookies = new ArrayList<>();
    final List<String> visited = new ArrayList<>();

    HttpResponse<String> get(String url) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url))
              .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
      if (!cookies.isEmpty()) {
        b.header("Cookie", cookieHeader());
      }
      visited.add(url);
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      for (String c : r.headers().allValues("Set-Cookie")) {
        setCookies.add(c);
        String nv = c.split(";", 2)[0];
        String name = nv.substring(0, nv.indexOf('='));
        String value = nv.substring(nv.indexOf('=') + 1);
        if (value.isEmpty() || c.toLowerCase().contains("max-age=0")) {
          cookies.remove(name);
        } else {
          cookies.put(name, value);
        }
      }
      return r;
    }

    /** Follows redirects (at most 10) and returns the last answer. */
    HttpResponse<String> open(String url) throws Exception {
      HttpResponse<String> r = get(url);
      for (int i = 0; i < 10 && r.statusCode() / 100 == 3; i++) {
        r = get(r.uri().resolve(r.headers().firstValue("Location").orElseThrow()).toString());
      }
      return r;
    }

    String cookieHeader() {
      return String.join(
          "; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    String setCookie(String name) {
      return setCookies.stream()
          .filter(c -> c.startsWith(name + "="))
          .reduce((a, b) -> b)
          .orElse(null);
    }

    HttpResponse<String> api(String method, String path, String body, Map<String, String> headers)
        throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(keel.url() + path))
              .header("Accept", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (!cookies.isEmpty()) {
        b.header("Cookie", cookieHeader());
      }
      headers.forEach(b::header);
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  HttpResponse<String> bearer(String token, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(keel.url() + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_browser_signs_in_at_the_provider_and_its_session_acts_as_that_user() throws Exception {
    Browser b = new Browser();
    String page = "/apis/v2beta1/experiments?namespace=alice";

    // 1. no session: off to the provider, with a short-lived signed state cookie
    HttpResponse<String> first = b.get(keel.url() + page);
    assertThat(first.statusCode()).isEqualTo(302);
    String authorize = first.headers().firstValue("Location").orElseThrow();
    assertThat(authorize).startsWith(provider.issuer() + "/authorize?");
    assertThat(b.setCookie(OidcLogin.STATE_COOKIE))
        .contains("HttpOnly")
        .containsIgnoringCase("SameSite=Lax")
        .contains("Path=/oidc");

    // 2. the provider redirects back with a code; 3. the callback sets the session
    HttpResponse<String> back = b.get(authorize);
    assertThat(back.statusCode()).isEqualTo(302);
    String callback = back.headers().firstValue("Location").orElseThrow();
    assertThat(callback).startsWith(keel.url() + OidcLogin.CALLBACK_PATH + "?code=");
    HttpResponse<String> done = b.get(callback);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
    assertThat(done.headers().firstValue("Location")).hasValue(page);
    assertThat(b.setCookie(Authenticator.SESSION_COOKIE))
        .contains("HttpOnly")
        .containsIgnoringCase("SameSite=Lax")
        .doesNotContain("Secure"); // plain http here
    assertThat(b.cookies).containsKey(Authenticator.CSRF_COOKIE);
    assertThat(b.cookies).doesNotContainKey(OidcLogin.STATE_COOKIE); // used once, then removed

    // what the provider saw: PKCE S256, state, nonce, the secret and the verifier all correct
    assertThat(provider.problems).isEmpty();
    assertThat(provider.tokensIssued).hasValue(1);
    Map<String, String> asked = provider.authorizeRequests.get(0);
    assertThat(asked)
        .containsEntry("client_id", FakeOidcProvider.CLIENT_ID)
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("redirect_uri", keel.url() + OidcLogin.CALLBACK_PATH)
        .containsKeys("state", "nonce", "code_challenge");
    assertThat(asked.get("scope").split(" ")).containsExactly("openid", "email", "profile");

    // 4. the original page answers as that user
    HttpResponse<String> landed = b.get(keel.url() + page);
    assertThat(landed.statusCode()).as(landed.body()).isEqualTo(200);
    assertThat(b.get(keel.url() + "/").body()).contains("Signed in as alice@example.com");

    // their own namespace yes, someone else's no
    assertThat(b.api("GET", "/apis/v2beta1/runs?namespace=alice", null, Map.of()).statusCode())
        .isEqualTo(200);
    HttpResponse<String> other = b.api("GET", "/apis/v2beta1/runs?namespace=bob", null, Map.of());
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(Json.parse(other.body()).path("message").asText()).contains("alice@example.com");

    // a change through the session needs the CSRF header, as in every mode
    String experiment = Json.write(Map.of("display_name", "mine", "namespace", "alice"));
    assertThat(b.api("POST", "/apis/v2beta1/experiments", experiment, Map.of()).statusCode())
        .isEqualTo(403);
    HttpResponse<String> made =
        b.api(
            "POST",
            "/apis/v2beta1/experiments",
            experiment,
            Map.of(Authenticator.CSRF_HEADER, b.cookies.get(Authenticator.CSRF_COOKIE)));
    assertThat(made.statusCode()).as(made.body()).isEqualTo(200);

    // a script without credentials gets 401 JSON, not a redirect
    HttpResponse<String> script =
        new Browser().api("GET", "/apis/v2beta1/runs?namespace=alice", null, Map.of());
    assertThat(script.statusCode()).isEqualTo(401);
    assertThat(Json.parse(script.body()).path("code").asInt()).isEqualTo(16);

    // password sign-in is not this server's way
    assertThat(
            new Browser()
                .api(
                    "POST",
                    "/login",
                    "username=alice%40example.com&password=x",
                    Map.of("Content-Type", "application/x-www-form-urlencoded"))
                .body())
        .contains("OIDC provider");
  }

  @Test
  void api_clients_use_keel_api_tokens_or_the_providers_id_tokens() throws Exception {
    keel.access().addUser("alice@example.com", "correct horse".toCharArray(), false);
    String keelToken = keel.access().createToken("alice@example.com", "ci").token();
    assertThat(bearer(keelToken, "/apis/v2beta1/runs?namespace=alice").statusCode()).isEqualTo(200);
    assertThat(bearer(keelToken, "/apis/v2beta1/runs?namespace=bob").statusCode()).isEqualTo(403);

    String idToken = provider.idToken(null);
    assertThat(bearer(idToken, "/apis/v2beta1/runs?namespace=alice").statusCode()).isEqualTo(200);
    assertThat(bearer(idToken, "/apis/v2beta1/runs?namespace=bob").statusCode()).isEqualTo(403);

    provider.tamper = c -> c.audience("another-client");
    HttpResponse<String> wrongAudience =
        bearer(provider.idToken(null), "/apis/v2beta1/runs?namespace=alice");
    assertThat(wrongAudience.statusCode()).isEqualTo(401);
    assertThat(wrongAudience.body()).contains("audience");

    provider.tamper = c -> c;
    provider.signer = FakeOidcProvider.impostor();
    HttpResponse<String> forged =
        bearer(provider.idToken(null), "/apis/v2beta1/runs?namespace=alice");
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.body()).containsIgnoringCase("signature");
    assertThat(bearer("keel_not-a-token", "/apis/v2beta1/runs?namespace=alice").statusCode())
        .isEqualTo(401);
  }

  /** Runs the browser flow with the ID token changed by {@code tamper}; returns the callback. */
  HttpResponse<String> signInWith(UnaryOperator<JWTClaimsSet.Builder> tamper, Browser b)
      throws Exception {
    provider.tamper = tamper;
    HttpResponse<String> r = b.get(keel.url() + "/");
    r = b.get(r.headers().firstValue("Location").orElseThrow());
    return b.get(r.headers().firstValue("Location").orElseThrow());
  }

  void assertRefused(HttpResponse<String> r, Browser b, String reason) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(r.body()).containsIgnoringCase(reason).doesNotContain("Exception", "\tat ");
    assertThat(b.cookies).doesNotContainKey(Authenticator.SESSION_COOKIE);
  }

  @Test
  void id_tokens_with_the_wrong_audience_expiry_nonce_or_signature_are_refused() throws Exception {
    Browser b = new Browser();
    assertRefused(signInWith(c -> c.audience("another-client"), b), b, "audience");

    Instant past = Instant.now().minus(Duration.ofHours(1));
    b = new Browser();
    assertRefused(
        signInWith(
            c -> c.issueTime(Date.from(past)).expirationTime(Date.from(past.plusSeconds(300))), b),
        b,
        "expired");

    b = new Browser();
    assertRefused(signInWith(c -> c.claim("nonce", "not-the-nonce"), b), b, "nonce");

    b = new Browser();
    assertRefused(signInWith(c -> c.issuer("http://127.0.0.1:1"), b), b, "issuer");

    b = new Browser();
    provider.signer = FakeOidcProvider.impostor();
    assertRefused(signInWith(c -> c, b), b, "signature");
    provider.signer = provider.key;

    b = new Browser();
    assertRefused(signInWith(c -> c.claim("email_verified", false), b), b, "not verified");

    b = new Browser();
    assertRefused(signInWith(c -> c.claim("email", null), b), b, "no 'email' claim");

    // the page a browser gets names the reason and offers to start again
    HttpResponse<String> page = signInWith(c -> c.audience("x"), b = new Browser());
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("Sign-in failed").contains("audience");

    // after all that, a good sign-in still works
    b = new Browser();
    HttpResponse<String> ok = signInWith(c -> c, b);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(303);
    assertThat(b.cookies).containsKey(Authenticator.SESSION_COOKIE);
  }

  @Test
  void a_tampered_state_a_missing_or_forged_state_cookie_and_a_provider_error_are_refused()
      throws Exception {
    Browser b = new Browser();
    HttpResponse<String> r = b.get(keel.url() + "/");
    r = b.get(r.headers().firstValue("Location").orElseThrow());
    String callback = r.headers().firstValue("Location").orElseThrow();

    HttpResponse<String> tampered = b.get(callback.replaceFirst("state=", "state=x"));
    assertRefused(tampered, b, "state");
    assertThat(provider.tokensIssued).hasValue(0); // refused before the code was spent

    // the state cookie was removed with that attempt: the genuine callback no longer works
    assertRefused(b.get(callback), b, "no sign-in is in progress");

    // a state cookie not signed by this server
    b = new Browser();
    r = b.get(keel.url() + "/");
    r = b.get(r.headers().firstValue("Location").orElseThrow());
    String cookie = b.cookies.get(OidcLogin.STATE_COOKIE);
    b.cookies.put(OidcLogin.STATE_COOKIE, "e30." + cookie.substring(cookie.indexOf('.') + 1));
    assertRefused(b.get(r.headers().firstValue("Location").orElseThrow()), b, "not valid");

    // the provider says no
    provider.authorizeError = "access_denied";
    b = new Browser();
    r = b.get(keel.url() + "/");
    r = b.get(r.headers().firstValue("Location").orElseThrow());
    assertRefused(b.get(r.headers().firstValue("Location").orElseThrow()), b, "access_denied");
    provider.authorizeError = null;

    // JSON for a client that does not ask for HTML
    HttpResponse<String> json =
        new Browser().api("GET", OidcLogin.CALLBACK_PATH + "?code=c&state=s", null, Map.of());
    assertThat(json.statusCode()).isEqualTo(401);
    assertThat(Json.parse(json.body()).path("message").asText()).startsWith("sign-in failed: ");
    assertThat(provider.problems).isEmpty();
  }

  @Test
  void only_pages_on_this_server_are_returned_to() {
    assertThat(OidcLogin.safeReturn("/apis/v2beta1/runs?x=1")).isEqualTo("/apis/v2beta1/runs?x=1");
    assertThat(OidcLogin.safeReturn("//evil.example/")).isEqualTo("/");
    assertThat(OidcLogin.safeReturn("https://evil.example/")).isEqualTo("/");
    assertThat(OidcLogin.safeReturn("/\\evil.example")).isEqualTo("/");
    assertThat(OidcLogin.safeReturn("/oidc/callback?code=1")).isEqualTo("/");
    assertThat(OidcLogin.safeReturn(null)).isEqualTo("/");
  }

  @Test
  void discovery_that_fails_says_where_and_why() throws Exception {
    OidcLogin.Settings unreachable =
        new OidcLogin.Settings(
            "http://127.0.0.1:1/dex", "keel", "secret", null, null, null, Duration.ofSeconds(2));
    assertThatThrownBy(() -> OidcLogin.discover(unreachable, Clock.systemUTC()))
        .isInstanceOf(OidcException.class)
        .hasMessageStartingWith(
            "OIDC discovery at http://127.0.0.1:1/dex/.well-known/openid-configuration failed: ");

    // an issuer that names itself differently from the URL it was found at
    OidcLogin.Settings other =
        OidcLogin.Settings.of(provider.issuer() + "/other", "keel", "secret");
    assertThatThrownBy(() -> OidcLogin.discover(other, Clock.systemUTC()))
        .isInstanceOf(OidcException.class)
        .hasMessageContaining("OIDC discovery at " + provider.issuer() + "/other");

    assertThat(OidcLogin.Settings.of("http://x", "id", "s").scopes())
        .containsExactly("openid", "email", "profile");
    assertThat(
            new OidcLogin.Settings(
                    "http://x", "id", "s", "sub", List.of("email groups"), null, null)
                .scopes())
        .containsExactly("openid", "email", "groups");
    assertThat(OidcLogin.Settings.of("http://x", "id", "very-secret").toString())
        .doesNotContain("very-secret");
  }
}
