package dev.keel.pipelines.spec;

/** A reference to a component by its key in {@code components}. */
public record ComponentRef(String name) {}
