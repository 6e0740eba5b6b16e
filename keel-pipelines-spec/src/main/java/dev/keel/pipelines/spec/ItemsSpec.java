package dev.keel.pipelines.spec;

/** The items of a parameter iterator: a raw JSON array text or an input parameter name. */
public record ItemsSpec(String raw, String inputParameter) {}
