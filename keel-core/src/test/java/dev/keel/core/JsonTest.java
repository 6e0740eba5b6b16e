package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
  /** The mapper's own text for a tree, which {@link Json#write(JsonNode)} must equal. */
  private static String mapper(JsonNode tree) {
    return Json.write((Object) tree);
  }

  @Test
  void every_character_is_escaped_as_the_mapper_escapes_it() {
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      TextNode text = TextNode.valueOf("a" + c + "b");
      assertThat(Json.write(text)).as("U+%04X", (int) c).isEqualTo(mapper(text));
    }
    TextNode pair = TextNode.valueOf("emoji 😀, line\u2028separator, \"quoted\" \\ back");
    assertThat(Json.write(pair)).isEqualTo(mapper(pair));
  }

  @Test
  void a_tree_of_what_tasks_record_is_written_as_the_mapper_writes_it() {
    ObjectNode tree = Json.json().createObjectNode();
    tree.putObject("parameters")
        .put("n", 3)
        .put("big", 9_007_199_254_740_993L)
        .put("short", (short) -7)
        .put("flag", true)
        .put("off", false)
        .putNull("nothing")
        .put("text", "Grüße, \"world\"\n\tdone");
    tree.putObject("artifacts")
        .putArray("model")
        .addObject()
        .put("uri", "file:///tmp/a b/model")
        .putObject("metadata");
    tree.putArray("empty");
    tree.putArray("nested").add(1).addArray().add("x").addObject();
    tree.put("", "an empty key");

    assertThat(Json.write(tree)).isEqualTo(mapper(tree));
    assertThat(Json.write(Json.parse(Json.write(tree)))).isEqualTo(Json.write(tree));
  }

  @Test
  void numbers_with_fractions_go_through_the_mapper() {
    ObjectNode tree = Json.json().createObjectNode();
    tree.put("accuracy", 0.9637883008356546).put("loss", 1e-7).put("f", 1.5f);
    tree.put("exact", new BigDecimal("12.50"));
    tree.putArray("xs").add(2.0).add(10000000000.0);

    assertThat(Json.write(tree)).isEqualTo(mapper(tree));
  }

  @Test
  void values_that_are_not_trees_still_go_through_the_mapper() {
    assertThat(Json.write(List.of("a", 1, true))).isEqualTo("[\"a\",1,true]");
    assertThat(Json.write((Object) null)).isEqualTo("null");
  }
}
