package dev.keel.pipelines.spec;

/** An environment variable of a container. */
public record EnvVar(String name, String value) {}
