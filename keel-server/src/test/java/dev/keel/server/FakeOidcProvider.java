package dev.keel.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.core.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A small OpenID Connect provider for tests, on 127.0.0.1 and a free port: discovery, an
 * authorization endpoint that signs the configured user in at once and redirects back with a code,
 * a token endpoint that checks the client's secret and the PKCE verifier and returns an RS256 ID
 * token, and the JWKS. Whatever a client gets wrong is recorded in {@link #problems}. keel-cli's
 * tests use it too, from this module's test jar.
 */
public final class FakeOidcProvider implements AutoCloseable {
  public static final String CLIENT_ID = "keel";
  public static final String CLIENT_SECRET = "s3cret-for-tests";

  /** The key the JWKS publishes. */
  final RSAKey key;

  /** The key ID tokens are signed with (another one, with the same kid, for a bad signature). */
  volatile RSAKey signer;

  /** The user the authorization endpoint signs in. */
  volatile String email = "alice@example.com";

  /** Changes to the ID token's claims before it is signed. */
  volatile UnaryOperator<JWTClaimsSet.Builder> tamper = b -> b;

  /** Sent back instead of a code when set (e.g. {@code access_denied}). */
  volatile String authorizeError;

  public final List<String> problems = new CopyOnWriteArrayList<>();
  final List<Map<String, String>> authorizeRequests = new CopyOnWriteArrayList<>();
  final AtomicInteger tokensIssued = new AtomicInteger();

  private record Pending(String redirectUri, String challenge, String nonce) {}

  private final Map<String, Pending> codes = new ConcurrentHashMap<>();
  private final Javalin app;

  public FakeOidcProvider() throws JOSEException {
    this.key = new RSAKeyGenerator(2048).keyID("test-key").generate();
    this.signer = key;
    this.app =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.startup.showOldJavalinVersionWarning = false;
                  cfg.routes.get("/.well-known/openid-configuration", this::discovery);
                  cfg.routes.get("/authorize", this::authorize);
                  cfg.routes.post("/token", this::token);
                  cfg.routes.get(
                      "/jwks",
                      ctx ->
                          ctx.contentType("application/json")
                              .result(new JWKSet(key.toPublicJWK()).toString()));
                })
            .start("127.0.0.1", 0);
  }

  public String issuer() {
    return "http://127.0.0.1:" + app.port();
  }

  /** A key that is not the provider's, under the provider's key ID. */
  static RSAKey impostor() throws JOSEException {
    return new RSAKeyGenerator(2048).keyID("test-key").generate();
  }

  private void discovery(Context ctx) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("issuer", issuer());
    d.put("authorization_endpoint", issuer() + "/authorize");
    d.put("token_endpoint", issuer() + "/token");
    d.put("jwks_uri", issuer() + "/jwks");
    d.put("response_types_supported", List.of("code"));
    d.put("subject_types_supported", List.of("public"));
    d.put("id_token_signing_alg_values_supported", List.of("RS256"));
    d.put("code_challenge_methods_supported", List.of("S256", "plain"));
    d.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic"));
    d.put("scopes_supported", List.of("openid", "email", "profile", "groups"));
    ctx.contentType("application/json").result(Json.write(d));
  }

  private void authorize(Context ctx) {
    Map<String, String> q = new LinkedHashMap<>();
    ctx.queryParamMap().forEach((k, v) -> q.put(k, v.get(0)));
    authorizeRequests.add(q);
    require(ctx.queryParam("response_type"), "code", "response_type");
    require(ctx.queryParam("client_id"), CLIENT_ID, "client_id");
    require(ctx.queryParam("code_challenge_method"), "S256", "code_challenge_method");
    String scope = ctx.queryParam("scope");
    if (scope == null || !List.of(scope.split(" ")).contains("openid")) {
      problems.add("authorize: no openid scope in " + scope);
    }
    String redirect = ctx.queryParam("redirect_uri");
    String state = ctx.queryParam("state");
    String challenge = ctx.queryParam("code_challenge");
    String nonce = ctx.queryParam("nonce");
    if (redirect == null || state == null || challenge == null || nonce == null) {
      problems.add("authorize: missing redirect_uri, state, code_challenge or nonce: " + q);
      ctx.status(400).result("bad request");
      return;
    }
    if (authorizeError != null) {
      ctx.redirect(
          redirect + "?error=" + authorizeError + "&error_description=no&state=" + enc(state));
      return;
    }
    String code = UUID.randomUUID().toString();
    codes.put(code, new Pending(redirect, challenge, nonce));
    ctx.redirect(redirect + "?code=" + enc(code) + "&state=" + enc(state));
  }

  private void token(Context ctx) throws Exception {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (enc(CLIENT_ID) + ":" + enc(CLIENT_SECRET)).getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(ctx.header("Authorization"))) {
      problems.add("token: client_secret_basic missing or wrong: " + ctx.header("Authorization"));
      tokenError(ctx, 401, "invalid_client");
      return;
    }
    if (!"authorization_code".equals(ctx.formParam("grant_type"))) {
      problems.add("token: grant_type " + ctx.formParam("grant_type"));
      tokenError(ctx, 400, "unsupported_grant_type");
      return;
    }
    Pending p = ctx.formParam("code") == null ? null : codes.remove(ctx.formParam("code"));
    if (p == null) {
      problems.add("token: unknown or reused code");
      tokenError(ctx, 400, "invalid_grant");
      return;
    }
    if (!p.redirectUri().equals(ctx.formParam("redirect_uri"))) {
      problems.add("token: redirect_uri " + ctx.formParam("redirect_uri") + " != " + p.redirectUri);
      tokenError(ctx, 400, "invalid_grant");
      return;
    }
    String verifier = ctx.formParam("code_verifier");
    String s256 =
        verifier == null
            ? null
            : Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    MessageDigest.getInstance("SHA-256")
                        .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    if (s256 == null || !s256.equals(p.challenge())) {
      problems.add("token: PKCE verifier does not match the challenge");
      tokenError(ctx, 400, "invalid_grant");
      return;
    }
    tokensIssued.incrementAndGet();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", UUID.randomUUID().toString());
    body.put("token_type", "Bearer");
    body.put("expires_in", 300);
    body.put("id_token", idToken(p.nonce()));
    ctx.header("Cache-Control", "no-store")
        .contentType("application/json")
        .result(Json.write(body));
  }

  /** An ID token for {@link #email}, with {@link #tamper} applied, signed by {@link #signer}. */
  public String idToken(String nonce) throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer())
            .subject("sub-" + email)
            .audience(CLIENT_ID)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .claim("email", email)
            .claim("email_verified", true)
            .claim("name", "Test User");
    if (nonce != null) {
      claims.claim("nonce", nonce);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).build(),
            tamper.apply(claims).build());
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }

  private void require(String got, String want, String what) {
    if (!want.equals(got)) {
      problems.add("authorize: " + what + " was " + got + ", not " + want);
    }
  }

  private static void tokenError(Context ctx, int status, String error) {
    ctx.status(status)
        .contentType("application/json")
        .result(Json.write(Map.of("error", error, "error_description", "refused by the test")));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    app.stop();
  }
}
