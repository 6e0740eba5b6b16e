package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonMetricsTest {
  @Test
  void katibs_hypertune_line_reads_as_katib_reads_it() {
    List<Metrics.Point> points =
        JsonMetrics.parse(
            List.of(
                "{\"acc\": \"0.9349\", \"global_step\": \"0\", \"timestamp\": 1638422847.28721,"
                    + " \"trial\": \"0\"}"),
            List.of("acc", "loss"));
    assertThat(points)
        .containsExactly(
            new Metrics.Point(
                "acc", "0.9349", Instant.parse("2021-12-02T05:27:27.287210Z"), /* step */ 0));
  }

  @Test
  void numbers_are_kept_as_python_writes_them_and_other_types_are_not() {
    List<Metrics.Point> points =
        JsonMetrics.parse(
            List.of(
                "{\"a\": 0.5, \"b\": 1, \"c\": 1e-05, \"d\": 10000000.0, \"e\": 1e16,"
                    + " \"f\": 0.0001, \"g\": -3, \"h\": 12345678901234567890, \"i\": 2.50}",
                "{\"a\": true, \"b\": null, \"c\": {\"x\": \"1\"}, \"d\": [\"1\"], \"e\": \"x\"}"),
            List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"));
    assertThat(points)
        .extracting(Metrics.Point::name, Metrics.Point::value)
        .containsExactly(
            tuple("a", "0.5"),
            tuple("b", "1"),
            tuple("c", "1e-05"),
            tuple("d", "10000000.0"),
            tuple("e", "1e+16"),
            tuple("f", "0.0001"),
            tuple("g", "-3"),
            tuple("h", "12345678901234567890"),
            tuple("i", "2.5"),
            tuple("e", "x"));
  }

  @Test
  void timestamps_are_rfc3339_strings_or_epoch_seconds() {
    List<Metrics.Point> points =
        JsonMetrics.parse(
            List.of(
                "{\"m\": \"1\", \"timestamp\": \"2024-01-01T00:00:00.123456789Z\"}",
                "{\"m\": \"2\", \"timestamp\": \"2024-01-01T05:30:00+05:30\"}",
                "{\"m\": \"3\", \"timestamp\": \"2024-01-01T00:00:01-01:00\"}",
                "{\"m\": \"4\", \"timestamp\": 1700000000}",
                "{\"m\": \"5\", \"timestamp\": 1700000000.5}",
                "{\"m\": \"6\", \"timestamp\": \"yesterday\"}",
                "{\"m\": \"7\"}",
                "{\"m\": \"8\", \"timestamp\": true}"),
            List.of("m"));
    assertThat(points)
        .extracting(Metrics.Point::timestamp)
        .containsExactly(
            Instant.parse("2024-01-01T00:00:00.123456789Z"),
            Instant.parse("2024-01-01T00:00:00Z"),
            Instant.parse("2024-01-01T01:00:01Z"),
            Instant.ofEpochSecond(1700000000),
            Instant.ofEpochSecond(1700000000, 500_000_000),
            Instant.EPOCH,
            Instant.EPOCH,
            Instant.EPOCH);
  }

  @Test
  void steps_count_per_name_unless_the_line_gives_one() {
    List<Metrics.Point> points =
        JsonMetrics.parse(
            List.of(
                "{\"loss\": \"0.9\"}",
                "{\"loss\": \"0.8\", \"acc\": \"0.5\"}",
                "{\"loss\": \"0.7\", \"global_step\": 40}",
                "{\"loss\": \"0.6\", \"global_step\": \"50\", \"step\": 7}",
                "{\"loss\": \"0.5\", \"step\": \"not a step\"}",
                "{\"acc\": \"0.6\"}"),
            List.of("loss", "acc"));
    assertThat(points)
        .extracting(Metrics.Point::name, Metrics.Point::value, Metrics.Point::step)
        .containsExactly(
            tuple("loss", "0.9", 1),
            tuple("loss", "0.8", 2),
            tuple("acc", "0.5", 1),
            tuple("loss", "0.7", 40),
            tuple("loss", "0.6", 7),
            tuple("loss", "0.5", 5),
            tuple("acc", "0.6", 2));
  }

  @Test
  void blank_lines_are_skipped() {
    List<Metrics.Point> points =
        JsonMetrics.parse(
            List.of("", "{\"acc\": \"0.1\"}", "   ", "\t", "{\"acc\": \"0.2\"}", ""),
            List.of("acc"));
    assertThat(points).extracting(Metrics.Point::value).containsExactly("0.1", "0.2");
  }

  @Test
  void an_unparsable_line_fails_the_read_naming_its_line() {
    assertThatThrownBy(
            () ->
                JsonMetrics.parse(
                    List.of("{\"acc\": \"0.1\"}", "", "{\"acc\": 0.2"), List.of("acc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> JsonMetrics.parse(List.of("[1, 2]"), List.of("acc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(
            () ->
                JsonMetrics.parse(List.of("{\"acc\": \"0.1\"} {\"acc\": \"0.2\"}"), List.of("acc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> JsonMetrics.parse(List.of("accuracy=0.9"), List.of("accuracy")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1");
  }

  @Test
  void python_float_text() {
    // expected strings from CPython's str(float)
    assertThat(
            List.of(
                    0.5,
                    1e-05,
                    1e7,
                    1e16,
                    0.0001,
                    0.1 + 0.2,
                    123456789012345.6,
                    5e-324,
                    Double.MAX_VALUE,
                    2e23,
                    0.3,
                    -0.0,
                    100.0,
                    Double.NaN,
                    Double.NEGATIVE_INFINITY)
                .stream()
                .map(JsonMetrics::pyRepr))
        .containsExactly(
            "0.5",
            "1e-05",
            "10000000.0",
            "1e+16",
            "0.0001",
            "0.30000000000000004",
            "123456789012345.6",
            "5e-324",
            "1.7976931348623157e+308",
            "2e+23",
            "0.3",
            "-0.0",
            "100.0",
            "nan",
            "-inf");
  }

  @Test
  void numpy_float32_text() {
    // expected strings from NumPy's str(np.float32(x))
    assertThat(
            List.of(0.9f, 0.25f, 1234.5678f, 3e-5f, 2e6f, 0.0001f, 999999.9f, 1e7f, 16777216f)
                .stream()
                .map(JsonMetrics::npRepr32))
        .containsExactly(
            "0.9",
            "0.25",
            "1234.5677",
            "3e-05",
            "2e+06",
            "1e-04",
            "999999.9",
            "1e+07",
            "1.6777216e+07");
  }
}
