package dev.keel.store;

/** A write to a row that does not exist. */
public class NotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message, null, false, false);
  }
}
