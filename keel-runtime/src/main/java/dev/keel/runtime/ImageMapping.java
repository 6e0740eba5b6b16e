package dev.keel.runtime;

import java.util.Map;

/**
 * How one image pattern runs on this machine.
 *
 * @param pattern a glob on the image reference, such as {@code python:*}
 * @param programs argv[0] names mapped to local executables
 * @param env variables added to the workload's environment
 * @param description what the log's first line says about it
 */
public record ImageMapping(
    String pattern, Map<String, String> programs, Map<String, String> env, String description) {
  public ImageMapping {
    programs = programs == null ? Map.of() : Map.copyOf(programs);
    env = env == null ? Map.of() : Map.copyOf(env);
  }
}
