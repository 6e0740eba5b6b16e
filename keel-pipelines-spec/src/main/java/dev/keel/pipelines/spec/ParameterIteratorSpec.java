package dev.keel.pipelines.spec;

/** ParallelFor over a list parameter. */
public record ParameterIteratorSpec(ItemsSpec items, String itemInput) {}
