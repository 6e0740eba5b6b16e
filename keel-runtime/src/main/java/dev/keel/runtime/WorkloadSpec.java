package dev.keel.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run. The argv is {@code command ++ args}, passed to the program as it is: never through a
 * shell string. Collections are copied; {@code null} collections, namespace and owner read as empty
 * (namespace {@code default}).
 *
 * @param name a name for logs and errors
 * @param namespace the namespace the work belongs to
 * @param owner who launched it (a run id, an experiment)
 * @param image the container image, mapped to local programs by the {@link ImageMap}; may be blank
 * @param command the program and its first arguments
 * @param args more arguments
 * @param env variables added to the inherited environment
 * @param workingDir the working directory, created if missing
 * @param directories more folders to create before the process starts (for its outputs)
 * @param resources what it asks of the machine
 * @param logFile where stdout and stderr go, interleaved
 * @param logLimitBytes the log's size cap; output past it is dropped and noted once
 * @param timeout how long it may run, or {@code null} for no limit
 */
public record WorkloadSpec(
    String name,
    String namespace,
    String owner,
    String image,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    Path workingDir,
    List<Path> directories,
    ResourceRequest resources,
    Path logFile,
    long logLimitBytes,
    Duration timeout) {
  /**
   * Checks and copies the parts.
   *
   * @throws NullPointerException when name, working directory, resources or log file is missing, or
   *     a list or map holds a null
   * @throws IllegalArgumentException when the log limit is not positive or the timeout negative
   */
  public WorkloadSpec {
    Objects.requireNonNull(name, "name");
    namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
    owner = owner == null ? "" : owner;
    command = command == null ? List.of() : List.copyOf(command);
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
    Objects.requireNonNull(workingDir, "workload '" + name + "' needs a working directory");
    directories = directories == null ? List.of() : List.copyOf(directories);
    Objects.requireNonNull(resources, "resources (use ResourceRequest.NONE)");
    Objects.requireNonNull(logFile, "workload '" + name + "' needs a log file");
    if (logLimitBytes <= 0) {
      throw new IllegalArgumentException(
          "logLimitBytes must be positive, was " + logLimitBytes + " for workload '" + name + "'");
    }
    if (timeout != null && timeout.isNegative()) {
      throw new IllegalArgumentException(
          "timeout must not be negative, was " + timeout + " for workload '" + name + "'");
    }
  }

  /**
   * A spec with no extra folders to create: the runtime SPI's original shape.
   *
   * @param name a name for logs and errors
   * @param namespace the namespace the work belongs to
   * @param owner who launched it
   * @param image the container image; may be blank
   * @param command the program and its first arguments
   * @param args more arguments
   * @param env variables added to the inherited environment
   * @param workingDir the working directory, created if missing
   * @param resources what it asks of the machine
   * @param logFile where stdout and stderr go
   * @param logLimitBytes the log's size cap
   * @param timeout how long it may run, or {@code null}
   */
  public WorkloadSpec(
      String name,
      String namespace,
      String owner,
      String image,
      List<String> command,
      List<String> args,
      Map<String, String> env,
      Path workingDir,
      ResourceRequest resources,
      Path logFile,
      long logLimitBytes,
      Duration timeout) {
    this(
        name,
        namespace,
        owner,
        image,
        command,
        args,
        env,
        workingDir,
        List.of(),
        resources,
        logFile,
        logLimitBytes,
        timeout);
  }

  /** The full argv: {@code command} followed by {@code args}. */
  public List<String> argv() {
    List<String> all = new ArrayList<>(command);
    all.addAll(args);
    return all;
  }

  /**
   * A builder for a workload called {@code name}.
   *
   * @throws NullPointerException when {@code name} is null
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Builds a {@link WorkloadSpec}. Defaults: namespace {@code default}, no owner, no image (host
   * programs), no command, empty env, {@link ResourceRequest#NONE}, 10 MiB of log, no timeout. The
   * working directory and the log file have no default.
   */
  public static final class Builder {
    private final String name;
    private String namespace = "default";
    private String owner = "";
    private String image = "";
    private List<String> command = new ArrayList<>();
    private List<String> args = new ArrayList<>();
    private Map<String, String> env = new LinkedHashMap<>();
    private Path workingDir;
    private List<Path> directories = List.of();
    private ResourceRequest resources = ResourceRequest.NONE;
    private Path logFile;
    private long logLimitBytes = 10L << 20;
    private Duration timeout;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The namespace the work belongs to. */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** Who launched it: a run id, an experiment. */
    public Builder owner(String owner) {
      this.owner = owner;
      return this;
    }

    /** The container image; {@code null} or blank runs host programs. */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /** The program and its first arguments; replaces any earlier command. */
    public Builder command(List<String> command) {
      this.command = new ArrayList<>(command);
      return this;
    }

    /** The program and its first arguments; replaces any earlier command. */
    public Builder command(String... command) {
      return command(List.of(command));
    }

    /** More arguments after the command; replaces any earlier ones. */
    public Builder args(List<String> args) {
      this.args = new ArrayList<>(args);
      return this;
    }

    /** More arguments after the command; replaces any earlier ones. */
    public Builder args(String... args) {
      return args(List.of(args));
    }

    /** Adds one environment variable. */
    public Builder env(String key, String value) {
      this.env.put(key, value);
      return this;
    }

    /** Variables added to the inherited environment; replaces any set earlier. */
    public Builder env(Map<String, String> env) {
      this.env = new LinkedHashMap<>(env);
      return this;
    }

    /** The working directory; created if missing. */
    public Builder workingDir(Path dir) {
      this.workingDir = dir;
      return this;
    }

    /** More folders to create before the process starts. */
    public Builder directories(List<Path> directories) {
      this.directories = List.copyOf(directories);
      return this;
    }

    /** What it asks of the machine. */
    public Builder resources(ResourceRequest resources) {
      this.resources = resources;
      return this;
    }

    /** Where stdout and stderr go; parent folders are created. */
    public Builder logFile(Path file) {
      this.logFile = file;
      return this;
    }

    /** The log's size cap in bytes (default 10 MiB). */
    public Builder logLimitBytes(long bytes) {
      this.logLimitBytes = bytes;
      return this;
    }

    /** How long it may run once started; {@code null} for no limit. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalStateException when the working directory or log file is missing
     * @throws IllegalArgumentException when a value is out of range (see the record's constructor)
     */
    public WorkloadSpec build() {
      if (workingDir == null) {
        throw new IllegalStateException("workload '" + name + "' needs a working directory");
      }
      if (logFile == null) {
        throw new IllegalStateException("workload '" + name + "' needs a log file");
      }
      return new WorkloadSpec(
          name,
          namespace,
          owner,
          image,
          command,
          args,
          env,
          workingDir,
          directories,
          resources,
          logFile,
          logLimitBytes,
          timeout);
    }
  }
}
