package dev.keel.core;

import java.util.UUID;

/** Identifiers Keel hands out: random UUIDs in their canonical lower-case form, as KFP uses. */
public final class Ids {
  private Ids() {}

  /** A new random identifier. */
  public static String newId() {
    return UUID.randomUUID().toString();
  }
}
