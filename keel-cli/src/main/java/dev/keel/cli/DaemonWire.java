package dev.keel.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code keel run} and the {@link Daemon} say to each other over the daemon's socket.
 *
 * <p>The client opens with a request: {@link #MAGIC}, {@link #VERSION}, then a kind. A {@link
 * #COMMAND} carries whether the client's output is a terminal and the command line; after it the
 * client may send one {@link #INTERRUPT} byte (Ctrl-C). The daemon answers in frames, a type byte
 * and a length-prefixed payload: the command's {@link #OUT} and {@link #ERR} as the bytes it
 * printed, then its {@link #EXIT} code; or {@link #BUSY} when it is already running a command.
 */
final class DaemonWire {
  static final int MAGIC = 0x4b45454c; // "KEEL"
  static final int VERSION = 1;

  // request kinds
  static final byte COMMAND = 1;
  static final byte STATUS = 2;
  static final byte STOP = 3;

  // client -> daemon, after a COMMAND
  static final byte INTERRUPT = 1;

  // frames, daemon -> client
  static final byte OUT = 1;
  static final byte ERR = 2;
  static final byte EXIT = 3;
  static final byte BUSY = 4;

  /** The longest payload a frame may carry; longer output is sent in several. */
  static final int MAX_FRAME = 1 << 20;

  static void writeRequest(DataOutputStream out, byte kind, boolean interactive, List<String> args)
      throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeByte(kind);
    if (kind == COMMAND) {
      out.writeBoolean(interactive);
      out.writeInt(args.size());
      for (String a : args) {
        writeText(out, a);
      }
    }
    out.flush();
  }

  /** A command line as sent in a {@link #COMMAND} request. */
  static List<String> readArgs(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 100_000) {
      throw new IOException("a command line of " + n + " arguments");
    }
    List<String> args = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      args.add(readText(in));
    }
    return args;
  }

  static void frame(DataOutputStream out, byte type, byte[] b, int off, int len)
      throws IOException {
    synchronized (out) {
      out.writeByte(type);
      out.writeInt(len);
      out.write(b, off, len);
      out.flush();
    }
  }

  static void exit(DataOutputStream out, int code) throws IOException {
    frame(out, EXIT, ByteBuffer.allocate(4).putInt(code).array(), 0, 4);
  }

  /** A frame's payload, after its type byte. */
  static byte[] readPayload(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_FRAME) {
      throw new IOException("a frame of " + n + " bytes");
    }
    return in.readNBytes(n);
  }

  static void writeText(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readText(DataInputStream in) throws IOException {
    return new String(readPayload(in), StandardCharsets.UTF_8);
  }

  /**
   * The channel as buffered data to read. Reads and writes go straight to the channel, so one
   * thread can wait for input while another writes (the JDK's {@code Channels} streams share one
   * lock).
   */
  static DataInputStream reader(SocketChannel ch) {
    InputStream in =
        new InputStream() {
          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : ch.read(ByteBuffer.wrap(b, off, len));
          }
        };
    return new DataInputStream(new BufferedInputStream(in, 1 << 16));
  }

  /** The channel as buffered data to write, flushed by the writer; see {@link #reader}. */
  static DataOutputStream writer(SocketChannel ch) {
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
          }
        };
    return new DataOutputStream(new BufferedOutputStream(out));
  }

  private DaemonWire() {}
}
