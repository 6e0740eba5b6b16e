package dev.keel.server;

/**
 * Why an OpenID Connect step failed, in words fit to show the user or print at start (never a stack
 * trace).
 */
public final class OidcException extends Exception {
  private static final long serialVersionUID = 1L;

  public OidcException(String message) {
    super(message);
  }

  public OidcException(String message, Throwable cause) {
    super(message, cause);
  }
}
