package dev.keel.pipelines.spec;

/**
 * A pipeline as a user hands it to Keel: the {@link PipelineSpec} and, from the optional second
 * YAML document, the {@link PlatformSpec}.
 *
 * @param spec the pipeline
 * @param platform the platform configuration, or {@code null} when the file has none
 */
public record PipelineDocument(PipelineSpec spec, PlatformSpec platform) {
  /** The pipeline's name ({@code pipelineInfo.name}), or {@code ""} when it has none. */
  public String name() {
    return spec.pipelineInfo() == null || spec.pipelineInfo().name() == null
        ? ""
        : spec.pipelineInfo().name();
  }
}
