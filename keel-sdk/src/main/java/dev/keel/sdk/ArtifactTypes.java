package dev.keel.sdk;

import dev.keel.pipelines.spec.ArtifactTypeSchema;

/** KFP's artifact types ({@code system.*}, schema version 0.0.1). */
public final class ArtifactTypes {
  /** {@code system.Artifact}: any artifact; accepted where any type is. */
  public static final ArtifactTypeSchema ARTIFACT = of("system.Artifact");

  /** {@code system.Dataset}. */
  public static final ArtifactTypeSchema DATASET = of("system.Dataset");

  /** {@code system.Model}. */
  public static final ArtifactTypeSchema MODEL = of("system.Model");

  /** {@code system.Metrics}: scalar metrics in its metadata. */
  public static final ArtifactTypeSchema METRICS = of("system.Metrics");

  /** {@code system.ClassificationMetrics}: confusion matrix and ROC curve. */
  public static final ArtifactTypeSchema CLASSIFICATION_METRICS =
      of("system.ClassificationMetrics");

  /** {@code system.SlicedClassificationMetrics}. */
  public static final ArtifactTypeSchema SLICED_CLASSIFICATION_METRICS =
      of("system.SlicedClassificationMetrics");

  /** {@code system.HTML}. */
  public static final ArtifactTypeSchema HTML = of("system.HTML");

  /** {@code system.Markdown}. */
  public static final ArtifactTypeSchema MARKDOWN = of("system.Markdown");

  private ArtifactTypes() {}

  /** A type by its schema title, such as {@code acme.Embeddings}. */
  public static ArtifactTypeSchema of(String schemaTitle) {
    return new ArtifactTypeSchema(schemaTitle, "0.0.1", null, null);
  }
}
