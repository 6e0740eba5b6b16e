package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;

/**
 * One artifact as the engine passes it between tasks.
 *
 * @param id the artifact's id in the store (KFP's runtime artifact name for inputs)
 * @param name the output key that produced it
 * @param uri where it lives, {@code file://} for local artifacts
 * @param schemaTitle its type, such as {@code system.Model}
 * @param schemaVersion its type version
 * @param metadata its metadata (metrics live here)
 */
record ArtifactRef(
    String id,
    String name,
    String uri,
    String schemaTitle,
    String schemaVersion,
    ObjectNode metadata) {

  /** The local path of a {@code file://} URI; other schemes have none here. */
  String path() {
    return LocalPaths.pathOf(uri);
  }

  ObjectNode toJson() {
    return toJson(uri);
  }

  /** As a program sees it: a local URI is a plain path (see {@link LocalPaths#forProgram}). */
  ObjectNode toProgramJson() {
    return toJson(LocalPaths.forProgram(uri));
  }

  private ObjectNode toJson(String uri) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("id", id);
    n.put("name", name);
    n.put("uri", uri);
    n.put("schemaTitle", schemaTitle);
    n.put("schemaVersion", schemaVersion);
    n.set("metadata", metadata == null ? Json.json().createObjectNode() : metadata);
    return n;
  }

  static ArtifactRef fromJson(JsonNode n) {
    JsonNode md = n.get("metadata");
    return new ArtifactRef(
        n.path("id").asText(),
        n.path("name").asText(),
        n.path("uri").asText(),
        n.path("schemaTitle").asText("system.Artifact"),
        n.path("schemaVersion").asText("0.0.1"),
        md instanceof ObjectNode o ? o : Json.json().createObjectNode());
  }
}
