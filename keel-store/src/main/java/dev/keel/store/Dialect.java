package dev.keel.store;

/** The SQL databases Keel stores state in. */
public enum Dialect {
  SQLITE,
  POSTGRES
}
