/**
 * The Java pipeline DSL: {@link dev.keel.sdk.ContainerComponent container components} with typed
 * inputs and outputs and {@link dev.keel.sdk.Placeholders placeholders}, {@link dev.keel.sdk.Task
 * tasks} wired by parameters, constants and other tasks' outputs, and a {@link
 * dev.keel.sdk.Pipeline} that builds KFP's PipelineSpec IR — the same YAML the KFP Python SDK
 * writes. {@link dev.keel.sdk.Compiler} serves {@code keel compile CLASS}.
 */
package dev.keel.sdk;
