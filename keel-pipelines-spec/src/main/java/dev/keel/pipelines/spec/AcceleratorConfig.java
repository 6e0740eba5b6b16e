package dev.keel.pipelines.spec;

/** An accelerator request; {@code type} and {@code count} are the deprecated forms. */
public record AcceleratorConfig(
    String resourceType, String resourceCount, String type, Long count) {}
