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
 * shell string.
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
  public WorkloadSpec {
    Objects.requireNonNull(name, "name");
    command = List.copyOf(command);
    args = List.copyOf(args);
    env = Map.copyOf(env);
    Objects.requireNonNull(workingDir, "workingDir");
    directories = directories == null ? List.of() : List.copyOf(directories);
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(logFile, "logFile");
    if (logLimitBytes <= 0) {
      throw new IllegalArgumentException("logLimitBytes must be positive");
    }
  }

  /** The full argv. */
  public List<String> argv() {
    List<String> all = new ArrayList<>(command);
    all.addAll(args);
    return all;
  }

  /** A builder for a workload called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a {@link WorkloadSpec}; namespace {@code default}, no resources, 10 MiB of log. */
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

    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    public Builder owner(String owner) {
      this.owner = owner;
      return this;
    }

    public Builder image(String image) {
      this.image = image;
      return this;
    }

    public Builder command(List<String> command) {
      this.command = new ArrayList<>(command);
      return this;
    }

    public Builder command(String... command) {
      return command(List.of(command));
    }

    public Builder args(List<String> args) {
      this.args = new ArrayList<>(args);
      return this;
    }

    public Builder env(Map<String, String> env) {
      this.env = new LinkedHashMap<>(env);
      return this;
    }

    public Builder workingDir(Path dir) {
      this.workingDir = dir;
      return this;
    }

    public Builder directories(List<Path> directories) {
      this.directories = List.copyOf(directories);
      return this;
    }

    public Builder resources(ResourceRequest resources) {
      this.resources = resources;
      return this;
    }

    public Builder logFile(Path file) {
      this.logFile = file;
      return this;
    }

    public Builder logLimitBytes(long bytes) {
      this.logLimitBytes = bytes;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalStateException when the working directory or log file is missing
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
