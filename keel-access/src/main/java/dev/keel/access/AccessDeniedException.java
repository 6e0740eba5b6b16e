package dev.keel.access;

/** The principal may not do this here (HTTP 403); the message says who, what and where. */
public final class AccessDeniedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AccessDeniedException(String message) {
    super(message, null, false, false);
  }
}
