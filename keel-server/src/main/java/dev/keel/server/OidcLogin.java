package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.keel.core.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs browser users in through an OpenID Connect provider (Dex, Keycloak, Google...), as
 * Kubeflow's oauth2-proxy does, and recognises the provider's JWTs sent as bearer tokens.
 *
 * <p>At start the provider is found by discovery ({@code /.well-known/openid-configuration}). A
 * browser without a session is sent to the provider's authorization endpoint (authorization code
 * flow, PKCE S256, {@code state} and {@code nonce}); what it needs to finish the sign-in travels in
 * a short-lived cookie signed with a key only this process holds. The callback exchanges the code
 * at the token endpoint ({@code client_secret_basic}), validates the ID token (RS256 signature
 * against the provider's JWKS, issuer, audience, expiry, nonce) and names the user by one claim
 * ({@code email} by default). Keel's own session cookie then takes over.
 *
 * <p>Every failure is an {@link OidcException} whose message says why, in words for the user.
 */
public final class OidcLogin {
  /** The cookie carrying state, nonce and PKCE verifier between the redirect and the callback. */
  public static final String STATE_COOKIE = "keel_oidc";

  /** Where the provider sends the browser back. */
  public static final String CALLBACK_PATH = "/oidc/callback";

  /** Starts a sign-in explicitly ({@code ?to=/page} says where to land). */
  public static final String LOGIN_PATH = "/oidc/login";

  static final Duration STATE_LIFETIME = Duration.ofMinutes(10);

  /**
   * How to reach the provider and name users.
   *
   * @param issuer the provider's issuer URL (discovery is at {@code
   *     <issuer>/.well-known/openid-configuration})
   * @param clientId Keel's client ID at the provider
   * @param clientSecret its client secret
   * @param userClaim the ID token claim that names the Keel user (default {@code email})
   * @param scopes the scopes asked for ({@code openid} is always among them)
   * @param redirectUri the callback URL registered at the provider; {@code null}: this server's own
   *     URL as the browser reaches it, plus {@value #CALLBACK_PATH}
   * @param timeout how long to wait for the provider on each call
   */
  public record Settings(
      String issuer,
      String clientId,
      String clientSecret,
      String userClaim,
      List<String> scopes,
      URI redirectUri,
      Duration timeout) {
    public static final String DEFAULT_USER_CLAIM = "email";
    public static final List<String> DEFAULT_SCOPES = List.of("openid", "email", "profile");

    public Settings {
      if (issuer == null || issuer.isBlank()) {
        throw new IllegalArgumentException("the OIDC issuer URL is missing");
      }
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("the OIDC client ID is missing");
      }
      if (clientSecret == null || clientSecret.isBlank()) {
        throw new IllegalArgumentException("the OIDC client secret is missing");
      }
      issuer = issuer.strip();
      clientSecret = clientSecret.strip();
      userClaim = userClaim == null || userClaim.isBlank() ? DEFAULT_USER_CLAIM : userClaim.strip();
      List<String> s = new ArrayList<>();
      for (String scope : scopes == null || scopes.isEmpty() ? DEFAULT_SCOPES : scopes) {
        for (String one : scope.split("[\\s,]+")) {
          if (!one.isBlank() && !s.contains(one)) {
            s.add(one);
          }
        }
      }
      if (!s.contains("openid")) {
        s.add(0, "openid");
      }
      scopes = List.copyOf(s);
      timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    }

    /** The defaults for the user claim, scopes, redirect URI and timeout. */
    public static Settings of(String issuer, String clientId, String clientSecret) {
      return new Settings(issuer, clientId, clientSecret, null, null, null, null);
    }

    @Override
    public String toString() { // never the secret
      return "Settings[issuer="
          + issuer
          + ", clientId="
          + clientId
          + ", userClaim="
          + userClaim
          + ", scopes="
          + scopes
          + ", redirectUri="
          + redirectUri
          + "]";
    }
  }

  /** Where to send the browser, and the state cookie to set before it goes. */
  public record Started(URI authorizationUrl, String stateCookie) {}

  /** A finished sign-in: the Keel user and the page they first asked for. */
  public record SignedIn(String user, String returnTo) {}

  private final Settings settings;
  private final OIDCProviderMetadata provider;
  private final ClientID clientId;
  private final IDTokenValidator validator;
  private final Clock clock;
  private final byte[] key = new byte[32];

  private OidcLogin(Settings settings, OIDCProviderMetadata provider, Clock clock)
      throws OidcException {
    this.settings = settings;
    this.provider = provider;
    this.clientId = new ClientID(settings.clientId());
    this.clock = clock;
    RANDOM.nextBytes(key);
    int ms = millis(settings.timeout());
    try {
      this.validator =
          new IDTokenValidator(
              provider.getIssuer(),
              clientId,
              JWSAlgorithm.RS256,
              provider.getJWKSetURI().toURL(),
              new DefaultResourceRetriever(ms, ms, 1 << 20));
    } catch (IOException | IllegalArgumentException e) {
      throw new OidcException(
          "the provider's jwks_uri "
              + provider.getJWKSetURI()
              + " is not a URL: "
              + e.getMessage());
    }
  }

  /**
   * Finds the provider by OIDC discovery and checks it offers what Keel needs: the authorization
   * code flow, RS256-signed ID tokens, PKCE S256 and {@code client_secret_basic}.
   *
   * @throws OidcException when discovery fails or the provider lacks one of those, saying which
   */
  public static OidcLogin discover(Settings settings, Clock clock) throws OidcException {
    Objects.requireNonNull(settings, "settings");
    String where = settings.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration";
    OIDCProviderMetadata md;
    int ms = millis(settings.timeout());
    try {
      md = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), ms, ms);
    } catch (GeneralException e) {
      throw new OidcException("OIDC discovery at " + where + " failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new OidcException(
          "OIDC discovery at " + where + " failed: the provider cannot be reached (" + e + ")", e);
    } catch (RuntimeException e) {
      throw new OidcException("OIDC discovery at " + where + " failed: " + e, e);
    }
    List<String> missing = new ArrayList<>();
    if (md.getAuthorizationEndpointURI() == null) {
      missing.add("authorization_endpoint");
    }
    if (md.getTokenEndpointURI() == null) {
      missing.add("token_endpoint");
    }
    if (md.getJWKSetURI() == null) {
      missing.add("jwks_uri");
    }
    if (!missing.isEmpty()) {
      throw new OidcException(
          "OIDC discovery at " + where + ": the provider names no " + String.join(", ", missing));
    }
    if (md.getIDTokenJWSAlgs() != null && !md.getIDTokenJWSAlgs().contains(JWSAlgorithm.RS256)) {
      throw new OidcException(
          "the provider at "
              + settings.issuer()
              + " does not sign ID tokens with RS256 (it offers "
              + md.getIDTokenJWSAlgs()
              + ")");
    }
    if (md.getCodeChallengeMethods() != null
        && !md.getCodeChallengeMethods().contains(CodeChallengeMethod.S256)) {
      throw new OidcException(
          "the provider at " + settings.issuer() + " does not offer PKCE with S256");
    }
    if (md.getTokenEndpointAuthMethods() != null
        && !md.getTokenEndpointAuthMethods()
            .contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)) {
      throw new OidcException(
          "the provider at "
              + settings.issuer()
              + " does not take client_secret_basic at its token endpoint (it takes "
              + md.getTokenEndpointAuthMethods()
              + ")");
    }
    return new OidcLogin(settings, md, clock);
  }

  public Settings settings() {
    return settings;
  }

  /** The issuer as the provider names itself. */
  public String issuer() {
    return provider.getIssuer().getValue();
  }

  /**
   * Begins a sign-in: the provider's authorization URL to redirect to, and the signed state cookie
   * to set first.
   *
   * @param ownCallback this server's callback URL as the browser reaches it (used unless {@link
   *     Settings#redirectUri()} is set)
   * @param returnTo the page to land on once signed in (only a path on this server is followed)
   */
  public Started start(URI ownCallback, String returnTo) {
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    URI redirect = redirectUri(ownCallback);
    AuthenticationRequest request =
        new AuthenticationRequest.Builder(
                new ResponseType(ResponseType.Value.CODE),
                new Scope(settings.scopes().toArray(String[]::new)),
                clientId,
                redirect)
            .endpointURI(provider.getAuthorizationEndpointURI())
            .state(state)
            .nonce(nonce)
            .codeChallenge(verifier, CodeChallengeMethod.S256)
            .build();
    Map<String, Object> pending = new LinkedHashMap<>();
    pending.put("state", state.getValue());
    pending.put("nonce", nonce.getValue());
    pending.put("verifier", verifier.getValue());
    pending.put("redirect", redirect.toString());
    pending.put("to", safeReturn(returnTo));
    pending.put("exp", clock.instant().plus(STATE_LIFETIME).getEpochSecond());
    return new Started(request.toURI(), sign(Json.write(pending)));
  }

  /** The callback URL the provider sends browsers to. */
  public URI redirectUri(URI ownCallback) {
    return settings.redirectUri() != null ? settings.redirectUri() : ownCallback;
  }

  /**
   * Finishes a sign-in from the callback's parameters and the state cookie: checks the state,
   * exchanges the code, validates the ID token and names the user.
   */
  public SignedIn finish(
      String stateCookie, String state, String code, String error, String errorDescription)
      throws OidcException {
    if (stateCookie == null || stateCookie.isBlank()) {
      throw new OidcException(
          "no sign-in is in progress in this browser (its sign-in cookie is missing or has"
              + " expired); open Keel again to start over");
    }
    JsonNode pending = verify(stateCookie);
    if (pending == null) {
      throw new OidcException(
          "the sign-in cookie is not valid or has expired; open Keel again to start over");
    }
    if (state == null || !constantTimeEquals(state, pending.path("state").asText())) {
      throw new OidcException(
          "the state the provider sent back does not match the sign-in this browser started");
    }
    if (error != null && !error.isBlank()) {
      throw new OidcException(
          "the provider refused the sign-in: "
              + error
              + (errorDescription == null || errorDescription.isBlank()
                  ? ""
                  : " (" + errorDescription + ")"));
    }
    if (code == null || code.isBlank()) {
      throw new OidcException("the provider sent no authorization code");
    }
    JWT idToken = exchange(code, pending);
    JWTClaimsSet claims = validate(idToken, new Nonce(pending.path("nonce").asText()));
    return new SignedIn(userOf(claims), safeReturn(pending.path("to").asText("/")));
  }

  private JWT exchange(String code, JsonNode pending) throws OidcException {
    URI endpoint = provider.getTokenEndpointURI();
    TokenRequest request =
        new TokenRequest(
            endpoint,
            new ClientSecretBasic(clientId, new Secret(settings.clientSecret())),
            new AuthorizationCodeGrant(
                new AuthorizationCode(code),
                URI.create(pending.path("redirect").asText()),
                new CodeVerifier(pending.path("verifier").asText())));
    HTTPRequest http = request.toHTTPRequest();
    int ms = millis(settings.timeout());
    http.setConnectTimeout(ms);
    http.setReadTimeout(ms);
    HTTPResponse response;
    try {
      response = http.send();
    } catch (IOException e) {
      throw new OidcException("the token endpoint " + endpoint + " cannot be reached (" + e + ")");
    }
    TokenResponse parsed;
    try {
      parsed = OIDCTokenResponseParser.parse(response);
    } catch (com.nimbusds.oauth2.sdk.ParseException e) {
      throw new OidcException(
          "the token endpoint answered "
              + response.getStatusCode()
              + " with something that is not a token response: "
              + e.getMessage());
    }
    if (!parsed.indicatesSuccess()) {
      ErrorObject err = parsed.toErrorResponse().getErrorObject();
      throw new OidcException(
          "the token endpoint refused the code: "
              + (err == null ? "HTTP " + response.getStatusCode() : describe(err)));
    }
    if (!(parsed instanceof OIDCTokenResponse oidc) || oidc.getOIDCTokens().getIDToken() == null) {
      throw new OidcException(
          "the token endpoint sent no ID token (is 'openid' among the scopes?)");
    }
    return oidc.getOIDCTokens().getIDToken();
  }

  private static String describe(ErrorObject err) {
    String d = err.getDescription();
    return (err.getCode() == null ? "error" : err.getCode())
        + (d == null || d.isBlank() ? "" : " (" + d + ")");
  }

  /**
   * The Keel user a provider-issued JWT sent as a bearer token names: signed by the provider (its
   * JWKS, RS256), issued by it, for Keel's client ID, not expired.
   */
  public String userOfBearer(String token) throws OidcException {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (java.text.ParseException e) {
      throw new OidcException("the bearer token is not a valid JWT");
    }
    return userOf(validate(jwt, null));
  }

  /** Whether a bearer token has the shape of a JWT (three base64url parts), not a Keel token. */
  public static boolean looksLikeJwt(String token) {
    return token != null && token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  }

  private JWTClaimsSet validate(JWT token, Nonce nonce) throws OidcException {
    try {
      return validator.validate(token, nonce).toJWTClaimsSet();
    } catch (BadJOSEException e) {
      throw new OidcException("the ID token is not valid: " + e.getMessage());
    } catch (JOSEException e) {
      throw new OidcException("the ID token cannot be checked: " + e.getMessage());
    } catch (com.nimbusds.oauth2.sdk.ParseException | RuntimeException e) {
      throw new OidcException("the ID token is not valid: " + e.getMessage());
    }
  }

  private String userOf(JWTClaimsSet claims) throws OidcException {
    String claim = settings.userClaim();
    Object value = claims.getClaim(claim);
    if (!(value instanceof String user) || user.isBlank()) {
      throw new OidcException(
          "the ID token has no '" + claim + "' claim to name the user (choose another user claim)");
    }
    if (claim.equals("email") && Boolean.FALSE.equals(claims.getClaim("email_verified"))) {
      throw new OidcException("the provider says the email " + user + " is not verified");
    }
    return user.strip();
  }

  // ------------------------------------------------------------------ the state cookie

  private String sign(String json) {
    String body = b64(json.getBytes(StandardCharsets.UTF_8));
    return body + "." + b64(hmac(body));
  }

  private JsonNode verify(String cookie) {
    int dot = cookie.lastIndexOf('.');
    if (dot <= 0) {
      return null;
    }
    String body = cookie.substring(0, dot);
    try {
      byte[] mac = Base64.getUrlDecoder().decode(cookie.substring(dot + 1));
      if (!MessageDigest.isEqual(mac, hmac(body))) {
        return null;
      }
      JsonNode pending =
          Json.parse(new String(Base64.getUrlDecoder().decode(body), StandardCharsets.UTF_8));
      if (clock.instant().getEpochSecond() >= pending.path("exp").asLong(0)) {
        return null;
      }
      return pending;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private byte[] hmac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Only a path on this server ({@code /...}), never another site or the sign-in pages. */
  static String safeReturn(String to) {
    if (to == null
        || !to.startsWith("/")
        || to.startsWith("//")
        || to.contains("\\")
        || to.startsWith(CALLBACK_PATH)
        || to.startsWith(LOGIN_PATH)
        || to.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "/";
    }
    return to;
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
