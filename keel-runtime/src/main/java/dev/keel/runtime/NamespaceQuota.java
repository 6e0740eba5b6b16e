package dev.keel.runtime;

/**
 * What the workloads of one namespace may use at once, as a profile's {@code resourceQuotaSpec}
 * says; {@code null} limits nothing.
 *
 * @param cpu cores requested by running workloads together
 * @param memoryBytes memory requested by running workloads together
 * @param workloads workloads running at once (Kubernetes counts them as {@code pods})
 */
public record NamespaceQuota(Double cpu, Long memoryBytes, Integer workloads) {
  /** No limits. */
  public static final NamespaceQuota NONE = new NamespaceQuota(null, null, null);

  public boolean isNone() {
    return cpu == null && memoryBytes == null && workloads == null;
  }
}
