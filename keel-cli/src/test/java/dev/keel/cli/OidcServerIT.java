package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.server.FakeOidcProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel server --auth oidc} against a provider started in the test. */
class OidcServerIT {
  private static final Pattern READY =
      Pattern.compile("keel server ready at (http://127\\.0\\.0\\.1:\\d+)/ ");

  @TempDir Path data;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Test
  void a_browser_signs_in_at_the_provider_and_the_session_is_that_user() throws Exception {
    assertThat(
            KeelProcess.run(data, "profiles", "create", "alice", "--owner", "alice@example.com")
                .code())
        .isZero();
    assertThat(
            KeelProcess.run(data, "profiles", "create", "bob", "--owner", "bob@example.com").code())
        .isZero();
    Path secret = data.resolve("client-secret");
    Files.writeString(secret, FakeOidcProvider.CLIENT_SECRET + "\n");
    try (FakeOidcProvider provider = new FakeOidcProvider()) {
      Path out = data.resolve("server.out");
      Process p =
          KeelProcess.start(
              data,
              out,
              "server",
              "--port",
              "0",
              "--auth",
              "oidc",
              "--oidc-issuer",
              provider.issuer(),
              "--oidc-client-id",
              FakeOidcProvider.CLIENT_ID,
              "--oidc-client-secret-file",
              secret.toString());
      try {
        String base = waitReady(p, out);
        assertThat(Files.readString(out))
            .contains("signing users in at " + provider.issuer())
            .contains(base + "/oidc/callback")
            .doesNotContain(FakeOidcProvider.CLIENT_SECRET);

        List<String> cookies = new ArrayList<>();
        HttpResponse<String> r = get(base + "/", cookies);
        assertThat(r.statusCode()).isEqualTo(302);
        r = get(r.headers().firstValue("Location").orElseThrow(), cookies); // the provider
        r = get(r.headers().firstValue("Location").orElseThrow(), cookies); // the callback
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        assertThat(provider.problems).isEmpty();
        assertThat(get(base + "/", cookies).body()).contains("Signed in as alice@example.com");
        assertThat(get(base + "/apis/v2beta1/runs?namespace=alice", cookies).statusCode())
            .isEqualTo(200);
        assertThat(get(base + "/apis/v2beta1/runs?namespace=bob", cookies).statusCode())
            .isEqualTo(403);

        // the provider's ID token as a bearer token, for scripts
        HttpResponse<String> api =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/apis/v2beta1/runs?namespace=alice"))
                    .header("Authorization", "Bearer " + provider.idToken(null))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
      } finally {
        p.destroy();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void a_provider_that_cannot_be_discovered_stops_the_server_with_the_reason() throws Exception {
    var r =
        KeelProcess.runWithEnv(
            data,
            null,
            Map.of("KEEL_OIDC_CLIENT_SECRET", "s"),
            "server",
            "--port",
            "0",
            "--auth",
            "oidc",
            "--oidc-issuer",
            "http://127.0.0.1:1/dex",
            "--oidc-client-id",
            "keel");
    assertThat(r.code()).as(r.all()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "error: OIDC discovery at http://127.0.0.1:1/dex/.well-known/openid-configuration"
                + " failed: ")
        .doesNotContain("\tat ");
  }

  @Test
  void the_flags_are_checked_and_the_secret_is_never_a_flag() throws Exception {
    var missing = KeelProcess.run(data, "server", "--auth", "oidc");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .contains("--oidc-issuer: --auth oidc needs the provider's issuer URL")
        .contains("--oidc-client-id: --auth oidc needs Keel's client ID");

    var noSecret =
        KeelProcess.run(
            data,
            "server",
            "--auth",
            "oidc",
            "--oidc-issuer",
            "http://127.0.0.1:1",
            "--oidc-client-id",
            "keel");
    assertThat(noSecret.code()).isEqualTo(2);
    assertThat(noSecret.err()).contains("$KEEL_OIDC_CLIENT_SECRET");

    var onTheCommandLine =
        KeelProcess.run(
            data,
            "server",
            "--auth",
            "oidc",
            "--oidc-issuer",
            "http://127.0.0.1:1",
            "--oidc-client-id",
            "keel",
            "--oidc-client-secret",
            "s");
    assertThat(onTheCommandLine.code()).isEqualTo(2);
    assertThat(onTheCommandLine.err()).contains("Unknown options: '--oidc-client-secret'");

    var wrongMode = KeelProcess.run(data, "server", "--oidc-issuer", "http://127.0.0.1:1");
    assertThat(wrongMode.code()).isEqualTo(2);
    assertThat(wrongMode.err()).contains("need --auth oidc");
  }

  String waitReady(Process p, Path out) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      String text = Files.exists(out) ? Files.readString(out) : "";
      Matcher m = READY.matcher(text);
      if (m.find()) {
        return m.group(1);
      }
      if (!p.isAlive()) {
        throw new AssertionError("keel server exited:\n" + text);
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError("keel server never said it was ready:\n" + Files.readString(out));
  }

  /** A GET as a browser sends it, keeping the cookies it is given. */
  HttpResponse<String> get(String url, List<String> cookies) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html,*/*;q=0.8");
    if (!cookies.isEmpty()) {
      b.header("Cookie", String.join("; ", cookies));
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    for (String c : r.headers().allValues("Set-Cookie")) {
      String nv = c.split(";", 2)[0];
      String name = nv.substring(0, nv.indexOf('=') + 1);
      cookies.removeIf(k -> k.startsWith(name));
      if (nv.length() > name.length() && !c.toLowerCase().contains("max-age=0")) {
        cookies.add(nv);
      }
    }
    return r;
  }
}
