package dev.keel.sdk;

import dev.keel.core.Quantities;
import dev.keel.pipelines.spec.AcceleratorConfig;
import dev.keel.pipelines.spec.EnvVar;
import java.util.Objects;
import java.util.regex.Pattern;

/** Checks of resource and environment settings shared by components and tasks. */
final class Resources {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern DURATION = Pattern.compile("-?[0-9]+(\\.[0-9]{1,9})?s");

  private Resources() {}

  static String cpu(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!isPlaceholder(value)) {
      try {
        Quantities.cpu(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage());
      }
    }
    return value;
  }

  static String memory(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!isPlaceholder(value)) {
      try {
        Quantities.bytes(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage());
      }
    }
    return value;
  }

  static AcceleratorConfig accelerator(String owner, String type, int count) {
    Objects.requireNonNull(type, "accelerator type");
    if (type.isBlank()) {
      throw new IllegalArgumentException(
          "accelerator type of " + owner + " is blank; name one such as nvidia.com/gpu");
    }
    if (count < 1) {
      throw new IllegalArgumentException(
          "accelerator count of " + owner + " must be at least 1, was " + count);
    }
    return new AcceleratorConfig(type, String.valueOf(count), null, null);
  }

  static EnvVar env(String owner, String name, String value) {
    Objects.requireNonNull(name, "environment variable name");
    Objects.requireNonNull(value, "value of environment variable " + name);
    if (!ENV_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "environment variable name '"
              + name
              + "' of "
              + owner
              + " must start with a letter or '_' and hold letters, digits, '_', '.' or '-'");
    }
    return new EnvVar(name, value);
  }

  static String duration(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!DURATION.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + value
              + "' is not a duration in seconds such as \"0s\", \"30s\" or \"3.5s\"");
    }
    return value;
  }

  private static boolean isPlaceholder(String value) {
    return value.contains("{{$");
  }
}
