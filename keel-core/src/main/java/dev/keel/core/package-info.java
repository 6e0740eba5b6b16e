/**
 * What every Keel module shares: {@link dev.keel.core.Problem problems} with field paths and the
 * {@link dev.keel.core.ValidationException} that carries them, the JSON and YAML codecs in {@link
 * dev.keel.core.Json}, {@link dev.keel.core.Ids identifiers} and Kubernetes {@link
 * dev.keel.core.Quantities quantities}.
 */
package dev.keel.core;
