package dev.keel.access;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Says who sends an HTTP request, or why nobody is recognised, whatever the HTTP library. One of
 * three modes, chosen when the server starts:
 *
 * <ul>
 *   <li>{@link Mode#TOKEN} (the default): one secret token, printed at start as a URL, Jupyter
 *       style. The holder acts as a cluster admin. Visiting the URL sets a session cookie; API
 *       clients send {@code Authorization: Bearer <token>}.
 *   <li>{@link Mode#USERS}: built-in users log in with their password (a session cookie follows);
 *       API clients send one of their API tokens as a bearer token.
 *   <li>{@link Mode#HEADER}: behind an authenticating proxy that sets {@code kubeflow-userid} (with
 *       an optional prefix to strip), as Kubeflow's Istio gateway does. Only when enabled: anyone
 *       who can reach the server directly could claim to be anyone.
 * </ul>
 *
 * <p>Session cookies are {@code <user>.<expiry>.<hmac>}, signed with a secret only the server
 * holds, sent {@code HttpOnly; SameSite=Strict}. A request carrying its credentials in a cookie and
 * changing state must also prove it comes from Keel's own pages (see {@link #csrfProblem}).
 */
public final class Authenticator {
  /** How a server recognises its users. */
  public enum Mode {
    TOKEN,
    USERS,
    HEADER
  }

  /** The parts of a request the authenticator reads. */
  public interface Request {
    String method();

    /** A header's value, or {@code null}. */
    String header(String name);

    /** A cookie's value, or {@code null}. */
    String cookie(String name);
  }

  /** Who sent the request, or why they are not recognised ({@code principal} null). */
  public record Result(Principal principal, String problem, boolean viaCookie) {
    static Result of(Principal p, boolean viaCookie) {
      return new Result(p, null, viaCookie);
    }

    static Result refused(String why) {
      return new Result(null, why, false);
    }

    public boolean ok() {
      return principal != null;
    }
  }

  public static final String SESSION_COOKIE = "keel_session";
  public static final String CSRF_COOKIE = "keel_csrf";
  public static final String CSRF_HEADER = "X-Keel-CSRF";

  /** The principal of token mode: the one user, with every right. */
  public static final Principal TOKEN_HOLDER = new Principal("keel", true);

  private static final Duration SESSION_LIFETIME = Duration.ofHours(12);

  private final Mode mode;
  private final Access access;
  private final String token;
  private final String userHeader;
  private final String userPrefix;
  private final byte[] secret;
  private final Clock clock;

  private Authenticator(
      Mode mode,
      Access access,
      String token,
      String userHeader,
      String userPrefix,
      byte[] secret,
      Clock clock) {
    this.mode = mode;
    this.access = access;
    this.token = token;
    this.userHeader = userHeader;
    this.userPrefix = userPrefix;
    this.secret = secret.clone();
    this.clock = clock;
  }

  /** Token mode with {@code token}; {@code null} makes a random one (see {@link #token()}). */
  public static Authenticator token(String token, Access access, Clock clock) {
    String t = token == null || token.isBlank() ? randomToken() : token.strip();
    return new Authenticator(Mode.TOKEN, access, t, null, null, randomBytes(32), clock);
  }

  /** Built-in users and their API tokens. */
  public static Authenticator users(Access access, Clock clock) {
    return new Authenticator(Mode.USERS, access, null, null, null, randomBytes(32), clock);
  }

  /** A trusted header set by an authenticating proxy, with {@code prefix} stripped. */
  public static Authenticator header(String header, String prefix, Access access, Clock clock) {
    Objects.requireNonNull(header, "header");
    return new Authenticator(
        Mode.HEADER, access, null, header, prefix == null ? "" : prefix, randomBytes(32), clock);
  }

  public Mode mode() {
    return mode;
  }

  /** Token mode's token, to print at start; {@code null} in other modes. */
  public String token() {
    return token;
  }

  /** Who sent {@code r}. */
  public Result authenticate(Request r) {
    String authorization = r.header("Authorization");
    if (authorization != null && !authorization.isBlank()) {
      return bearer(authorization);
    }
    if (mode == Mode.HEADER) {
      String user = r.header(userHeader);
      if (user == null || user.isBlank()) {
        return Result.refused("no " + userHeader + " header (the proxy in front of Keel sets it)");
      }
      if (!user.startsWith(userPrefix)) {
        return Result.refused(userHeader + " does not start with '" + userPrefix + "'");
      }
      String name = user.substring(userPrefix.length());
      return Result.of(new Principal(name, isClusterAdmin(name)), false);
    }
    String session = r.cookie(SESSION_COOKIE);
    if (session != null) {
      Optional<String> user = verifySession(session);
      if (user.isPresent()) {
        Principal p =
            mode == Mode.TOKEN
                ? TOKEN_HOLDER
                : new Principal(user.get(), isClusterAdmin(user.get()));
        return Result.of(p, true);
      }
      return Result.refused("the session has expired or is not valid; log in again");
    }
    return Result.refused(
        mode == Mode.TOKEN
            ? "no credentials: open the URL Keel printed at start, or send 'Authorization: Bearer"
                + " <token>'"
            : "no credentials: log in, or send 'Authorization: Bearer <API token>'");
  }

  private Result bearer(String authorization) {
    String[] parts = authorization.strip().split("\\s+", 2);
    String scheme = parts[0].toLowerCase(Locale.ROOT);
    if (parts.length != 2 || !(scheme.equals("bearer") || scheme.equals("token"))) {
      return Result.refused("the Authorization header must be 'Bearer <token>'");
    }
    String given = parts[1].strip();
    if (mode == Mode.TOKEN && constantTimeEquals(given, token)) {
      return Result.of(TOKEN_HOLDER, false);
    }
    if (mode != Mode.TOKEN || given.startsWith(Access.TOKEN_PREFIX)) {
      Optional<Principal> p = access.authenticate(given);
      if (p.isPresent()) {
        return Result.of(p.get(), false);
      }
    }
    return Result.refused("the bearer token is not valid");
  }

  /** Token mode: whether {@code given} is the token (for the URL printed at start). */
  public boolean isServerToken(String given) {
    return mode == Mode.TOKEN && given != null && constantTimeEquals(given, token);
  }

  private boolean isClusterAdmin(String user) {
    return access.isClusterAdmin(user);
  }

  // ------------------------------------------------------------------ sessions

  /** A session cookie value for {@code user}, valid for twelve hours. */
  public String newSession(String user) {
    long expiry = clock.instant().plus(SESSION_LIFETIME).getEpochSecond();
    String body = b64(user.getBytes(StandardCharsets.UTF_8)) + "." + expiry;
    return body + "." + b64(hmac(body));
  }

  /** A fresh value for the CSRF cookie, which pages echo in {@value #CSRF_HEADER}. */
  public static String newCsrfToken() {
    return b64(randomBytes(18));
  }

  Optional<String> verifySession(String value) {
    int last = value.lastIndexOf('.');
    int first = value.indexOf('.');
    if (first < 0 || last <= first) {
      return Optional.empty();
    }
    String body = value.substring(0, last);
    byte[] mac;
    try {
      mac = Base64.getUrlDecoder().decode(value.substring(last + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(mac, hmac(body))) {
      return Optional.empty();
    }
    long expiry;
    try {
      expiry = Long.parseLong(body.substring(first + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (clock.instant().getEpochSecond() >= expiry) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new String(
              Base64.getUrlDecoder().decode(body.substring(0, first)), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Why a request authenticated by cookie may not change state, or {@code null} when it may: a safe
   * method, or credentials not sent by the browser on its own (a bearer token), or the CSRF header
   * matching the CSRF cookie (set by Keel's pages, unreadable to other sites).
   */
  public static String csrfProblem(Request r, Result who) {
    String m = r.method().toUpperCase(Locale.ROOT);
    if (!who.viaCookie() || m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS")) {
      return null;
    }
    String cookie = r.cookie(CSRF_COOKIE);
    String header = r.header(CSRF_HEADER);
    if (cookie == null || header == null || !constantTimeEquals(cookie, header)) {
      return "a "
          + m
          + " from a browser session needs the "
          + CSRF_HEADER
          + " header equal to the "
          + CSRF_COOKIE
          + " cookie";
    }
    return null;
  }

  // ------------------------------------------------------------------ helpers

  private byte[] hmac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String randomToken() {
    return b64(randomBytes(24));
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
