package dev.keel.pipelines.spec;

/** Iterator limits; parallelismLimit 0 means unlimited. */
public record IteratorPolicy(Integer parallelismLimit) {}
