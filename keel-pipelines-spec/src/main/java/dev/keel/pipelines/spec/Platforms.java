package dev.keel.pipelines.spec;

/** Platform configurations Keel knows. */
public record Platforms(KubernetesPlatformSpec kubernetes) {}
