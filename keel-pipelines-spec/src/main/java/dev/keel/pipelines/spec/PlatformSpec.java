package dev.keel.pipelines.spec;

/** The optional second YAML document: platform-specific configuration. */
public record PlatformSpec(Platforms platforms) {}
