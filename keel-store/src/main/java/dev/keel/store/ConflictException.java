package dev.keel.store;

/** A write that would break a uniqueness rule, such as a second pipeline of the same name. */
public class ConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message, null, false, false);
  }
}
