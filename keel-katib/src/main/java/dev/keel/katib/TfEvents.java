package dev.keel.katib;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Katib's TensorFlowEvent collector ({@code tfevent_loader.py}) without TensorFlow: reads the
 * scalars in the TFRecord event files under a directory.
 *
 * <ul>
 *   <li>Files: every regular file under {@code dir}, at any depth, whose name contains {@code
 *       tfevents}, in path order. A missing {@code dir} has no metrics.
 *   <li>Records: TFRecord framing with both CRC32C checks. A record cut short at the end of a file
 *       (a writer still at work) ends that file quietly; a checksum that does not match throws an
 *       {@link IOException} naming the file and the record's offset.
 *   <li>Names, as Katib matches them: a plain {@code name} matches every tag that starts with
 *       {@code name}, in any file; {@code dir/name} matches tags starting with {@code name} in
 *       files whose own directory ends with the path {@code dir} (Katib compares the strings, so
 *       its {@code train} also matches a directory {@code pretrain}; Keel compares whole path
 *       components). The point is named as asked ({@code train/accuracy}); one tag may feed several
 *       names.
 *   <li>Values, written as Katib (since kubeflow/katib#2467) writes them: a TF1 / PyTorch {@code
 *       simple_value} as Python's {@code str(float)} of the float32 widened to a double ({@code
 *       0.8999999761581421}), as Katib's SCALARS path does; a TF2 scalar tensor (one element of
 *       DT_FLOAT, DT_DOUBLE or an integer type, from its typed field or {@code tensor_content}) as
 *       NumPy's {@code str} of it, as Katib's {@code str(tf.make_ndarray(...))} does: {@code 0.9}
 *       and {@code 1e+06} for a float32, Python's {@code str(float)} for a double, digits for an
 *       integer. A one-element tensor of shape [1] gives its element (Katib stores {@code [0.9]}).
 *       Histograms, images, text and other tensors are skipped (Katib would store the printed array
 *       of a histogram whose tag matches).
 *   <li>Timestamp: the event's {@code wall_time}, to the microsecond as Katib's {@code
 *       datetime.fromtimestamp}; step: the event's {@code step} (clamped to the int range).
 * </ul>
 *
 * <p>Unlike TensorBoard's EventAccumulator, nothing is purged on a restart ({@code SessionLog
 * START}) or out-of-order step: every recorded scalar is returned.
 */
public final class TfEvents {
  private TfEvents() {}

  // tensorflow.DataType
  private static final int DT_FLOAT = 1;
  private static final int DT_DOUBLE = 2;
  private static final int DT_INT32 = 3;
  private static final int DT_UINT8 = 4;
  private static final int DT_INT16 = 5;
  private static final int DT_INT8 = 6;
  private static final int DT_INT64 = 9;
  private static final int DT_UINT16 = 17;
  private static final int DT_UINT32 = 22;
  private static final int DT_UINT64 = 23;

  private static final int MASK_DELTA = 0xa282ead8;

  /** A requested metric name, split as Katib splits it. */
  private record Wanted(String name, Path dir, String tagPrefix) {
    static Wanted of(String name) {
      int slash = name.lastIndexOf('/');
      if (slash < 0) {
        return new Wanted(name, null, name);
      }
      String dir = name.substring(0, slash);
      return new Wanted(name, dir.isEmpty() ? null : Path.of(dir), name.substring(slash + 1));
    }

    boolean inDir(Path fileDir) {
      return dir == null || (fileDir != null && fileDir.endsWith(dir));
    }
  }

  /** One scalar in an event. */
  private record Scalar(String tag, String value) {}

  /** The scalars of {@code names} in the event files under {@code dir}. */
  public static List<Metrics.Point> read(Path dir, List<String> names) throws IOException {
    List<Metrics.Point> out = new ArrayList<>();
    if (!Files.isDirectory(dir) || names.isEmpty()) {
      return out;
    }
    List<Wanted> wanted = names.stream().map(Wanted::of).toList();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(p -> p.getFileName() != null && p.getFileName().toString().contains("tfevents"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    }
    for (Path file : files) {
      Path fileDir = file.toAbsolutePath().normalize().getParent();
      List<Wanted> here = wanted.stream().filter(w -> w.inDir(fileDir)).toList();
      if (here.isEmpty()) {
        continue;
      }
      readFile(file, here, out);
    }
    return out;
  }

  private static void readFile(Path file, List<Wanted> wanted, List<Metrics.Point> out)
      throws IOException {
    long size = Files.size(file);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      long offset = 0;
      byte[] header = new byte[12];
      byte[] footer = new byte[4];
      while (true) {
        int n = in.readNBytes(header, 0, 12);
        if (n < 12) {
          return; // end of file, or a header cut short
        }
        long length = le64(header, 0);
        if (mask(crc(header, 0, 8)) != le32(header, 8)) {
          throw new IOException(file + ": corrupt record at offset " + offset + " (length CRC)");
        }
        if (length < 0 || length > size - offset - 16) {
          return; // the record runs past the end of the file: still being written
        }
        if (length > Integer.MAX_VALUE - 8) {
          throw new IOException(file + ": record at offset " + offset + " is too large");
        }
        byte[] data = in.readNBytes((int) length);
        if (data.length < length || in.readNBytes(footer, 0, 4) < 4) {
          return; // truncated after all (the file shrank under us)
        }
        if (mask(crc(data, 0, data.length)) != le32(footer, 0)) {
          throw new IOException(file + ": corrupt record at offset " + offset + " (data CRC)");
        }
        decodeEvent(file, offset, data, wanted, out);
        offset += 16 + length;
      }
    }
  }

  private static void decodeEvent(
      Path file, long offset, byte[] data, List<Wanted> wanted, List<Metrics.Point> out)
      throws IOException {
    double wallTime = 0;
    long step = 0;
    List<Scalar> scalars = new ArrayList<>();
    try {
      Proto event = new Proto(data, 0, data.length);
      while (event.more()) {
        long key = event.varint();
        int field = (int) (key >>> 3);
        int wire = (int) (key & 7);
        if (field == 1 && wire == 1) {
          wallTime = Double.longBitsToDouble(event.fixed64());
        } else if (field == 2 && wire == 0) {
          step = event.varint();
        } else if (field == 5 && wire == 2) {
          Proto summary = event.message();
          while (summary.more()) {
            long k = summary.varint();
            if ((k >>> 3) == 1 && (k & 7) == 2) {
              Scalar s = value(summary.message());
              if (s != null) {
                scalars.add(s);
              }
            } else {
              summary.skip((int) (k & 7));
            }
          }
        } else {
          event.skip(wire);
        }
      }
    } catch (EOFException | IllegalStateException e) {
      throw new IOException(
          file + ": malformed event in record at offset " + offset + ": " + e.getMessage(), e);
    }
    if (scalars.isEmpty()) {
      return;
    }
    Instant ts = wallTimeInstant(wallTime);
    int pointStep = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, step));
    for (Scalar s : scalars) {
      for (Wanted w : wanted) {
        if (s.tag().startsWith(w.tagPrefix())) {
          out.add(new Metrics.Point(w.name(), s.value(), ts, pointStep));
        }
      }
    }
  }

  /** A Summary.Value: its tag and scalar, or null when it holds no scalar. */
  private static Scalar value(Proto v) throws EOFException {
    String tag = "";
    String value = null;
    while (v.more()) {
      long key = v.varint();
      int field = (int) (key >>> 3);
      int wire = (int) (key & 7);
      if (field == 1 && wire == 2) {
        tag = v.string();
      } else if (field == 2 && wire == 5) {
        // Katib reads these through EventAccumulator's SCALARS: a Python float, str() of it
        value = JsonMetrics.pyRepr((double) Float.intBitsToFloat(v.fixed32()));
      } else if (field == 8 && wire == 2) {
        value = tensorScalar(v.message());
      } else if (field >= 3 && field <= 6) {
        value = null; // another member of the value oneof (histogram, image, audio) replaces it
        v.skip(wire);
      } else {
        v.skip(wire);
      }
    }
    return value == null ? null : new Scalar(tag, value);
  }

  /** The text of a one-element numeric TensorProto, or null. */
  private static String tensorScalar(Proto t) throws EOFException {
    int dtype = 0;
    long elements = 1;
    boolean unknownRank = false;
    byte[] content = null;
    List<Integer> floats = new ArrayList<>();
    List<Long> doubles = new ArrayList<>();
    List<Long> ints = new ArrayList<>(); // int_val, int64_val, uint32_val, uint64_val
    while (t.more()) {
      long key = t.varint();
      int field = (int) (key >>> 3);
      int wire = (int) (key & 7);
      switch (field) {
        case 1 -> {
          if (wire != 0) {
            t.skip(wire);
          } else {
            dtype = (int) t.varint();
          }
        }
        case 2 -> {
          if (wire != 2) {
            t.skip(wire);
            break;
          }
          Proto shape = t.message();
          while (shape.more()) {
            long k = shape.varint();
            if ((k >>> 3) == 1 && (k & 7) == 2) {
              Proto dim = shape.message();
              long dimSize = 0;
              while (dim.more()) {
                long dk = dim.varint();
                if ((dk >>> 3) == 1 && (dk & 7) == 0) {
                  dimSize = dim.varint();
                } else {
                  dim.skip((int) (dk & 7));
                }
              }
              elements *= dimSize;
            } else if ((k >>> 3) == 3 && (k & 7) == 0) {
              unknownRank = shape.varint() != 0;
            } else {
              shape.skip((int) (k & 7));
            }
          }
        }
        case 4 -> {
          if (wire != 2) {
            t.skip(wire);
          } else {
            content = t.bytes();
          }
        }
        case 5 -> {
          if (wire == 5) {
            floats.add(t.fixed32());
          } else if (wire == 2) {
            Proto p = t.message();
            while (p.more()) {
              floats.add(p.fixed32());
            }
          } else {
            t.skip(wire);
          }
        }
        case 6 -> {
          if (wire == 1) {
            doubles.add(t.fixed64());
          } else if (wire == 2) {
            Proto p = t.message();
            while (p.more()) {
              doubles.add(p.fixed64());
            }
          } else {
            t.skip(wire);
          }
        }
        case 7, 10, 16, 17 -> {
          if (wire == 0) {
            ints.add(t.varint());
          } else if (wire == 2) {
            Proto p = t.message();
            while (p.more()) {
              ints.add(p.varint());
            }
          } else {
            t.skip(wire);
          }
        }
        default -> t.skip(wire);
      }
    }
    if (unknownRank || elements != 1) {
      return null;
    }
    if (content != null && content.length > 0) {
      return switch (dtype) {
        case DT_FLOAT ->
            content.length == 4
                ? JsonMetrics.npRepr32(Float.intBitsToFloat((int) le32(content, 0)))
                : null;
        case DT_DOUBLE ->
            content.length == 8
                ? JsonMetrics.pyRepr(Double.longBitsToDouble(le64(content, 0)))
                : null;
        case DT_INT8 -> content.length == 1 ? Integer.toString(content[0]) : null;
        case DT_UINT8 -> content.length == 1 ? Integer.toString(content[0] & 0xff) : null;
        case DT_INT16 -> content.length == 2 ? Integer.toString((short) le16(content)) : null;
        case DT_UINT16 -> content.length == 2 ? Integer.toString(le16(content)) : null;
        case DT_INT32 -> content.length == 4 ? Integer.toString((int) le32(content, 0)) : null;
        case DT_UINT32 -> content.length == 4 ? Long.toString(le32(content, 0)) : null;
        case DT_INT64 -> content.length == 8 ? Long.toString(le64(content, 0)) : null;
        case DT_UINT64 -> content.length == 8 ? Long.toUnsignedString(le64(content, 0)) : null;
        default -> null;
      };
    }
    // Typed fields; an empty one is a zero, as tf.make_ndarray fills it.
    return switch (dtype) {
      case DT_FLOAT ->
          JsonMetrics.npRepr32(floats.isEmpty() ? 0f : Float.intBitsToFloat(floats.get(0)));
      case DT_DOUBLE ->
          JsonMetrics.pyRepr(doubles.isEmpty() ? 0d : Double.longBitsToDouble(doubles.get(0)));
      case DT_INT8 -> Integer.toString(ints.isEmpty() ? 0 : (byte) (long) ints.get(0));
      case DT_INT16 -> Integer.toString(ints.isEmpty() ? 0 : (short) (long) ints.get(0));
      case DT_INT32 -> Integer.toString(ints.isEmpty() ? 0 : (int) (long) ints.get(0));
      case DT_UINT8 -> Integer.toString(ints.isEmpty() ? 0 : (int) (ints.get(0) & 0xff));
      case DT_UINT16 -> Integer.toString(ints.isEmpty() ? 0 : (int) (ints.get(0) & 0xffff));
      case DT_UINT32 -> Long.toString(ints.isEmpty() ? 0 : ints.get(0) & 0xffffffffL);
      case DT_INT64 -> Long.toString(ints.isEmpty() ? 0 : ints.get(0));
      case DT_UINT64 -> Long.toUnsignedString(ints.isEmpty() ? 0 : ints.get(0));
      default -> null;
    };
  }

  private static Instant wallTimeInstant(double wallTime) {
    if (!Double.isFinite(wallTime)) {
      return Instant.EPOCH;
    }
    double micros = Math.rint(wallTime * 1e6);
    if (Math.abs(micros) > 9e18) {
      return Instant.EPOCH;
    }
    long us = (long) micros;
    return Instant.ofEpochSecond(
        Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L);
  }

  // ---- TFRecord framing --------------------------------------------------------------------

  private static long crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return c.getValue();
  }

  /** TFRecord's masked CRC, as an unsigned 32-bit value. */
  static long mask(long crc) {
    int c = (int) crc;
    return (((c >>> 15) | (c << 17)) + MASK_DELTA) & 0xffffffffL;
  }

  private static int le16(byte[] b) {
    return (b[0] & 0xff) | (b[1] & 0xff) << 8;
  }

  private static long le32(byte[] b, int off) {
    return (b[off] & 0xffL)
        | (b[off + 1] & 0xffL) << 8
        | (b[off + 2] & 0xffL) << 16
        | (b[off + 3] & 0xffL) << 24;
  }

  private static long le64(byte[] b, int off) {
    return le32(b, off) | le32(b, off + 4) << 32;
  }

  // ---- protobuf wire format ----------------------------------------------------------------

  /** A cursor over one protobuf message. */
  private static final class Proto {
    private final byte[] b;
    private int pos;
    private final int end;

    Proto(byte[] b, int pos, int end) {
      this.b = b;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    long varint() throws EOFException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new EOFException("varint runs past the end");
        }
        byte x = b[pos++];
        v |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw new IllegalStateException("varint longer than 10 bytes");
    }

    int fixed32() throws EOFException {
      need(4);
      int v = (int) le32(b, pos);
      pos += 4;
      return v;
    }

    long fixed64() throws EOFException {
      need(8);
      long v = le64(b, pos);
      pos += 8;
      return v;
    }

    private int length() throws EOFException {
      long n = varint();
      if (n < 0 || n > end - pos) {
        throw new EOFException("length " + n + " runs past the end");
      }
      return (int) n;
    }

    Proto message() throws EOFException {
      int n = length();
      Proto p = new Proto(b, pos, pos + n);
      pos += n;
      return p;
    }

    byte[] bytes() throws EOFException {
      int n = length();
      byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    String string() throws EOFException {
      int n = length();
      String s = new String(b, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    /** Skips a field's value by its wire type (groups included). */
    void skip(int wire) throws EOFException {
      switch (wire) {
        case 0 -> varint();
        case 1 -> {
          need(8);
          pos += 8;
        }
        case 2 -> {
          int n = length(); // not pos += length(): that would add to pos as it was before
          pos += n;
        }
        case 3 -> {
          while (true) {
            if (!more()) {
              throw new EOFException("group runs past the end");
            }
            long k = varint();
            if ((k & 7) == 4) {
              return;
            }
            skip((int) (k & 7));
          }
        }
        case 5 -> {
          need(4);
          pos += 4;
        }
        default -> throw new IllegalStateException("wire type " + wire);
      }
    }

    private void need(int n) throws EOFException {
      if (end - pos < n) {
        throw new EOFException(n + " bytes run past the end");
      }
    }
  }
}
