package dev.keel.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Secrets by namespace and name: key/value data for tasks' environments. */
public interface Secrets {
  /** Creates the secret or replaces its data. */
  void put(String namespace, String name, Map<String, String> data, Instant now);

  Optional<Map<String, String>> get(String namespace, String name);

  /** Secret names in a namespace, sorted. */
  List<String> list(String namespace);

  /** Deletes the secret; false when there was none. */
  boolean delete(String namespace, String name);
}
