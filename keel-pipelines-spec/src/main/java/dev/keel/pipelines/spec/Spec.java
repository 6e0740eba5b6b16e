package dev.keel.pipelines.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Normalisation shared by the IR records: absent collections become empty, order is kept. */
final class Spec {
  private Spec() {}

  static <K, V> Map<K, V> map(Map<K, V> m) {
    return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : Collections.unmodifiableList(new java.util.ArrayList<>(l));
  }
}
