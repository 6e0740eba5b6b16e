package dev.keel.pipelines.spec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a leaf component runs: a container, an importer, or (not produced by the SDK) a resolver or
 * custom job.
 */
public record ExecutorSpec(
    ContainerSpec container, ImporterSpec importer, JsonNode resolver, JsonNode customJob) {}
