package dev.keel.runtime;

import dev.keel.core.Quantities;

/**
 * What a workload asks of the machine.
 *
 * @param cpu cores
 * @param memoryBytes bytes of memory
 * @param gpu accelerators
 */
public record ResourceRequest(double cpu, long memoryBytes, int gpu) {
  /** Asks for nothing in particular. */
  public static final ResourceRequest NONE = new ResourceRequest(0, 0, 0);

  public ResourceRequest {
    if (cpu < 0 || memoryBytes < 0 || gpu < 0) {
      throw new IllegalArgumentException("resource requests must not be negative");
    }
  }

  /**
   * A request from Kubernetes quantities such as {@code "500m"} and {@code "4Gi"}; {@code null}
   * means none.
   *
   * @throws IllegalArgumentException naming a quantity that does not parse
   */
  public static ResourceRequest of(String cpu, String memory) {
    return new ResourceRequest(
        cpu == null || cpu.isBlank() ? 0 : Quantities.cpu(cpu),
        memory == null || memory.isBlank() ? 0 : Quantities.bytes(memory),
        0);
  }
}
