package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfEventsTest {
  @TempDir Path root;

  // ---- a plain encoder, written from the wire-format specs, independent of the reader --------

  /** A protobuf message under construction. */
  static final class Msg {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Msg varintRaw(long v) {
      while ((v & ~0x7fL) != 0) {
        out.write((int) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
      return this;
    }

    Msg key(int field, int wire) {
      return varintRaw(((long) field << 3) | wire);
    }

    Msg varint(int field, long v) {
      return key(field, 0).varintRaw(v);
    }

    Msg fixed32Raw(int v) {
      for (int i = 0; i < 4; i++) {
        out.write((v >>> (8 * i)) & 0xff);
      }
      return this;
    }

    Msg fixed64Raw(long v) {
      for (int i = 0; i < 8; i++) {
        out.write((int) ((v >>> (8 * i)) & 0xff));
      }
      return this;
    }

    Msg floatField(int field, float v) {
      return key(field, 5).fixed32Raw(Float.floatToIntBits(v));
    }

    Msg doubleField(int field, double v) {
      return key(field, 1).fixed64Raw(Double.doubleToLongBits(v));
    }

    Msg bytes(int field, byte[] b) {
      key(field, 2).varintRaw(b.length);
      out.writeBytes(b);
      return this;
    }

    Msg string(int field, String s) {
      return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Msg message(int field, Msg m) {
      return bytes(field, m.bytes());
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  static int maskedCrc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b, 0, b.length);
    int crc = (int) c.getValue();
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  /** One TFRecord: length, masked CRC of the length, data, masked CRC of the data. */
  static byte[] record(byte[] data) {
    byte[] len = new Msg().fixed64Raw(data.length).bytes();
    Msg r = new Msg();
    r.out.writeBytes(len);
    r.fixed32Raw(maskedCrc(len));
    r.out.writeBytes(data);
    r.fixed32Raw(maskedCrc(data));
    return r.bytes();
  }

  static byte[] fileVersion(double wallTime) {
    return new Msg().doubleField(1, wallTime).string(3, "brain.Event:2").bytes();
  }

  /** An Event with a Summary of the given Summary.Value messages. */
  static byte[] event(double wallTime, long step, Msg... values) {
    Msg summary = new Msg();
    for (Msg v : values) {
      summary.message(1, v);
    }
    Msg e = new Msg().doubleField(1, wallTime);
    if (step != 0) {
      e.varint(2, step);
    }
    return e.message(5, summary).bytes();
  }

  /** TF1: Summary.Value{tag, simple_value}. */
  static Msg simple(String tag, float v) {
    return new Msg().string(1, tag).floatField(2, v);
  }

  static Msg scalarsMetadata() {
    return new Msg().message(1, new Msg().string(1, "scalars"));
  }

  static Msg scalarShape() {
    return new Msg(); // TensorShapeProto with no dims
  }

  /** TF2: a DT_FLOAT scalar tensor with float_val, packed or not. */
  static Msg tensorFloatVal(String tag, float v, boolean packed) {
    Msg t = new Msg().varint(1, 1).message(2, scalarShape());
    if (packed) {
      t.bytes(5, new Msg().fixed32Raw(Float.floatToIntBits(v)).bytes());
    } else {
      t.floatField(5, v);
    }
    return new Msg().string(1, tag).message(9, scalarsMetadata()).message(8, t);
  }

  /** TF2: a DT_FLOAT scalar tensor in tensor_content. */
  static Msg tensorContent(String tag, float v) {
    Msg t =
        new Msg()
            .varint(1, 1)
            .message(2, scalarShape())
            .bytes(4, new Msg().fixed32Raw(Float.floatToIntBits(v)).bytes());
    return new Msg().string(1, tag).message(9, scalarsMetadata()).message(8, t);
  }

  /** A DT_DOUBLE scalar tensor with packed double_val. */
  static Msg tensorDouble(String tag, double v) {
    Msg t =
        new Msg()
            .varint(1, 2)
            .message(2, scalarShape())
            .bytes(6, new Msg().fixed64Raw(Double.doubleToLongBits(v)).bytes());
    return new Msg().string(1, tag).message(8, t);
  }

  /** A DT_INT64 scalar tensor with int64_val. */
  static Msg tensorInt64(String tag, long v) {
    Msg t = new Msg().varint(1, 9).message(2, scalarShape()).varint(10, v);
    return new Msg().string(1, tag).message(8, t);
  }

  /** A DT_FLOAT tensor of shape [2]: not a scalar. */
  static Msg tensorVector(String tag) {
    Msg shape = new Msg().message(1, new Msg().varint(1, 2));
    Msg t =
        new Msg()
            .varint(1, 1)
            .message(2, shape)
            .bytes(
                5,
                new Msg()
                    .fixed32Raw(Float.floatToIntBits(1f))
                    .fixed32Raw(Float.floatToIntBits(2f))
                    .bytes());
    return new Msg().string(1, tag).message(8, t);
  }

  /** A DT_STRING scalar tensor (a text summary). */
  static Msg tensorString(String tag) {
    Msg t = new Msg().varint(1, 7).message(2, scalarShape()).string(8, "hello");
    return new Msg().string(1, tag).message(8, t);
  }

  static Path write(Path file, byte[]... events) throws IOException {
    Files.createDirectories(file.getParent());
    Msg all = new Msg();
    for (byte[] e : events) {
      all.out.writeBytes(record(e));
    }
    Files.write(file, all.bytes());
    return file;
  }

  static final double T0 = 1700000000.25;

  // ---- tests ----------------------------------------------------------------------------------

  @Test
  void tf1_simple_values() throws IOException {
    write(
        root.resolve("events.out.tfevents.1700000000.host"),
        fileVersion(T0),
        event(T0 + 1, 1, simple("accuracy", 0.5f), simple("loss", 0.9f)),
        event(T0 + 2, 2, simple("accuracy", 0.75f), simple("loss", 1e-5f)));
    List<Metrics.Point> points = TfEvents.read(root, List.of("accuracy", "loss"));
    // Katib reads simple_value as a Python float: str() of the float32 widened to a double
    assertThat(points)
        .containsExactly(
            new Metrics.Point("accuracy", "0.5", Instant.ofEpochSecond(1700000001, 250_000_000), 1),
            new Metrics.Point(
                "loss", "0.8999999761581421", Instant.ofEpochSecond(1700000001, 250_000_000), 1),
            new Metrics.Point(
                "accuracy", "0.75", Instant.ofEpochSecond(1700000002, 250_000_000), 2),
            new Metrics.Point(
                "loss",
                "9.999999747378752e-06",
                Instant.ofEpochSecond(1700000002, 250_000_000),
                2));
  }

  @Test
  void tf2_scalar_tensors() throws IOException {
    write(
        root.resolve("events.out.tfevents.1700000000.host.v2"),
        fileVersion(T0),
        event(T0, 10, tensorFloatVal("acc_packed", 0.9f, true)),
        event(T0, 11, tensorFloatVal("acc_unpacked", 0.8f, false)),
        event(T0, 12, tensorContent("acc_content", 0.7f)),
        event(T0, 13, tensorDouble("acc_double", 0.1 + 0.2)),
        event(T0, 14, tensorInt64("acc_int", 42)),
        event(T0, 15, tensorVector("acc_vector"), tensorString("acc_text")));
    List<Metrics.Point> points = TfEvents.read(root, List.of("acc"));
    // Katib prints tensors with NumPy: a float32 in its own shortest digits
    assertThat(points)
        .extracting(Metrics.Point::name, Metrics.Point::value, Metrics.Point::step)
        .containsExactly(
            tuple("acc", "0.9", 10),
            tuple("acc", "0.8", 11),
            tuple("acc", "0.7", 12),
            tuple("acc", "0.30000000000000004", 13),
            tuple("acc", "42", 14));
  }

  @Test
  void dir_slash_name_reads_only_that_directory_and_a_plain_name_reads_all() throws IOException {
    write(
        root.resolve("train/events.out.tfevents.1.host"),
        fileVersion(T0),
        event(T0, 1, simple("accuracy", 0.5f)),
        event(T0, 2, simple("accuracy", 0.6f)));
    write(
        root.resolve("test/events.out.tfevents.1.host"),
        fileVersion(T0),
        event(T0, 2, simple("accuracy", 0.55f)));
    write(
        root.resolve("pretrain/events.out.tfevents.1.host"),
        event(T0, 3, simple("accuracy", 0.1f)));
    Files.writeString(root.resolve("train/notes.txt"), "not an event file");

    assertThat(TfEvents.read(root, List.of("train/accuracy")))
        .extracting(Metrics.Point::name, Metrics.Point::value)
        .containsExactly(
            tuple("train/accuracy", "0.5"), tuple("train/accuracy", "0.6000000238418579"));
    assertThat(TfEvents.read(root, List.of("test/accuracy", "train/accuracy")))
        .extracting(Metrics.Point::name, Metrics.Point::value)
        .containsExactlyInAnyOrder(
            tuple("test/accuracy", "0.550000011920929"),
            tuple("train/accuracy", "0.5"),
            tuple("train/accuracy", "0.6000000238418579"));
    assertThat(TfEvents.read(root, List.of("accuracy")))
        .extracting(Metrics.Point::value)
        .containsExactlyInAnyOrder(
            "0.10000000149011612", "0.5", "0.6000000238418579", "0.550000011920929");
    // the directory named is matched by path component, from the end: root's own name works too
    assertThat(TfEvents.read(root.resolve("train"), List.of("train/accuracy"))).hasSize(2);
    assertThat(TfEvents.read(root, List.of("validation/accuracy"))).isEmpty();
  }

  @Test
  void unrelated_tags_are_ignored_and_names_match_tag_prefixes_as_in_katib() throws IOException {
    write(
        root.resolve("events.out.tfevents.1.host"),
        fileVersion(T0),
        event(
            T0,
            1,
            simple("learning_rate", 0.01f),
            simple("accuracy_top5", 0.99f),
            simple("val_accuracy", 0.4f),
            simple("accuracy", 0.8f)));
    assertThat(TfEvents.read(root, List.of("accuracy", "loss")))
        .extracting(Metrics.Point::name, Metrics.Point::value)
        .containsExactly(
            tuple("accuracy", "0.9900000095367432"), tuple("accuracy", "0.800000011920929"));
    assertThat(TfEvents.read(root, List.of("loss"))).isEmpty();
  }

  @Test
  void a_truncated_trailing_record_ends_the_file_quietly() throws IOException {
    Msg all = new Msg();
    all.out.writeBytes(record(fileVersion(T0)));
    all.out.writeBytes(record(event(T0, 1, simple("loss", 0.5f))));
    int complete = all.out.size();
    byte[] last = record(event(T0, 2, simple("loss", 0.25f)));
    all.out.writeBytes(last);
    byte[] full = all.bytes();
    Path file = root.resolve("events.out.tfevents.1.host");
    // cut inside the length, its CRC, the data, and the data's CRC
    for (int cut : new int[] {1, 8, 10, 12, 20, last.length - 1}) {
      Files.write(file, Arrays.copyOf(full, complete + cut));
      assertThat(TfEvents.read(root, List.of("loss")))
          .as("cut at %d", cut)
          .extracting(Metrics.Point::value)
          .containsExactly("0.5");
    }
    Files.write(file, full);
    assertThat(TfEvents.read(root, List.of("loss")))
        .extracting(Metrics.Point::value)
        .containsExactly("0.5", "0.25");
  }

  @Test
  void a_bad_crc_is_reported_with_file_and_offset() throws IOException {
    byte[] r0 = record(fileVersion(T0));
    byte[] r1 = record(event(T0, 1, simple("loss", 0.5f)));
    byte[] r2 = record(event(T0, 2, simple("loss", 0.25f)));
    Path file = root.resolve("events.out.tfevents.1.host");

    byte[] dataCorrupt = concat(r0, r1.clone(), r2);
    dataCorrupt[r0.length + 12 + 3] ^= 0x01; // a byte of record 1's data
    Files.write(file, dataCorrupt);
    assertThatThrownBy(() -> TfEvents.read(root, List.of("loss")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("offset " + r0.length);

    byte[] lengthCorrupt = concat(r0, r1.clone(), r2);
    lengthCorrupt[r0.length + 8] ^= 0x01; // record 1's length CRC
    Files.write(file, lengthCorrupt);
    assertThatThrownBy(() -> TfEvents.read(root, List.of("loss")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("offset " + r0.length);
  }

  @Test
  void a_missing_directory_has_no_metrics() throws IOException {
    assertThat(TfEvents.read(root.resolve("nowhere"), List.of("loss"))).isEmpty();
  }

  static byte[] concat(byte[]... parts) {
    Msg m = new Msg();
    for (byte[] p : parts) {
      m.out.writeBytes(p);
    }
    return m.bytes();
  }

  /** Real event files from PyTorch's SummaryWriter, when /usr/bin/python3 has it. */
  @Test
  void reads_what_torch_summary_writer_writes() throws Exception {
    Assumptions.assumeTrue(
        run(List.of("/usr/bin/python3", "-c", "from torch.utils.tensorboard import SummaryWriter"))
            == 0,
        "torch.utils.tensorboard is not available");
    String script =
        String.join(
            "\n",
            "import sys",
            "from torch.utils.tensorboard import SummaryWriter",
            "root = sys.argv[1]",
            "for sub, base in (('train', 0.5), ('test', 0.25)):",
            "    w = SummaryWriter(root + '/' + sub)",
            "    for step in range(3):",
            "        w.add_scalar('accuracy', base + step / 10, step)",
            "        w.add_scalar('loss', 1.0 / (step + 1), step, new_style=True)",
            "    w.close()");
    assertThat(run(List.of("/usr/bin/python3", "-c", script, root.toString()))).isZero();
    assertThat(TfEvents.read(root, List.of("train/accuracy")))
        .extracting(Metrics.Point::value, Metrics.Point::step)
        .containsExactly(
            tuple("0.5", 0), tuple("0.6000000238418579", 1), tuple("0.699999988079071", 2));
    assertThat(TfEvents.read(root, List.of("test/loss")))
        .extracting(Metrics.Point::value, Metrics.Point::step)
        .containsExactly(tuple("1.0", 0), tuple("0.5", 1), tuple("0.33333334", 2));
  }

  static int run(List<String> command) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(command.get(0)))) {
      return -1;
    }
    Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
