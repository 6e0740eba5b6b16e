package dev.keel.pipelines.spec;

/** Caching of a task; {@code {}} (no enableCache) means caching is off. */
public record CachingOptions(Boolean enableCache, String cacheKey) {}
