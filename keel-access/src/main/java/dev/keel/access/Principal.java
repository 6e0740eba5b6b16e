package dev.keel.access;

import java.util.Objects;

/**
 * Who makes a request, once authenticated.
 *
 * @param name the user's name
 * @param clusterAdmin whether they may act on every namespace
 */
public record Principal(String name, boolean clusterAdmin) {
  public Principal {
    Objects.requireNonNull(name, "name");
  }

  /** A user with no cluster-wide rights. */
  public static Principal user(String name) {
    return new Principal(name, false);
  }
}
