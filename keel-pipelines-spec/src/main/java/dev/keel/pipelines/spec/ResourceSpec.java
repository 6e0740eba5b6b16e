package dev.keel.pipelines.spec;

/**
 * Resource requests and limits; the string fields may be placeholders, the numeric ones are
 * deprecated (memory in GB).
 */
public record ResourceSpec(
    String resourceCpuLimit,
    String resourceMemoryLimit,
    String resourceCpuRequest,
    String resourceMemoryRequest,
    AcceleratorConfig accelerator,
    Double cpuLimit,
    Double memoryLimit,
    Double cpuRequest,
    Double memoryRequest) {}
