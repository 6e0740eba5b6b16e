package dev.keel.server;

import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A pipeline package as {@code kfp.Client.upload_pipeline} sends it: a compiled YAML or JSON file,
 * or a {@code .zip} or {@code .tar.gz} holding one. Whatever it holds is read with the strict
 * PipelineSpec reader.
 */
final class PipelinePackages {
  /** Largest package accepted, compressed or not. */
  static final int MAX_BYTES = 32 << 20;

  private PipelinePackages() {}

  static PipelineDocument read(String filename, byte[] bytes) {
    String name = filename == null ? "" : filename.toLowerCase(Locale.ROOT);
    String text;
    if (name.endsWith(".zip") || startsWith(bytes, 'P', 'K')) {
      text = fromZip(bytes);
    } else if (name.endsWith(".tar.gz") || name.endsWith(".tgz") || startsWith(bytes, 0x1f, 0x8b)) {
      text = fromTarGz(bytes);
    } else {
      text = new String(bytes, StandardCharsets.UTF_8);
    }
    return PipelineSpecReader.readText(text);
  }

  private static boolean startsWith(byte[] b, int first, int second) {
    return b.length > 1 && (b[0] & 0xff) == first && (b[1] & 0xff) == second;
  }

  private static boolean isPipelineFile(String entry) {
    String e = entry.toLowerCase(Locale.ROOT);
    return !e.endsWith("/") && (e.endsWith(".yaml") || e.endsWith(".yml") || e.endsWith(".json"));
  }

  private static String fromZip(byte[] bytes) {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      String found = null;
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (isPipelineFile(e.getName())) {
          if (found != null) {
            throw ApiError.badRequest(
                "uploadfile",
                "the archive holds more than one pipeline file (" + e.getName() + ")");
          }
          found = new String(readCapped(zip), StandardCharsets.UTF_8);
        }
      }
      if (found == null) {
        throw ApiError.badRequest("uploadfile", "the zip archive holds no .yaml or .json file");
      }
      return found;
    } catch (IOException e) {
      throw ApiError.badRequest("uploadfile", "not a readable zip archive: " + e.getMessage());
    }
  }

  /** The one pipeline file of a gzip'd tar, read by the tar format's 512-byte headers. */
  private static String fromTarGz(byte[] bytes) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      byte[] tar = readCapped(in);
      String found = null;
      int at = 0;
      while (at + 512 <= tar.length) {
        String entry = cString(tar, at, 100);
        if (entry.isEmpty()) {
          break; // the two zero blocks that end an archive
        }
        String prefix = cString(tar, at + 345, 155);
        if (!prefix.isEmpty()) {
          entry = prefix + "/" + entry;
        }
        long size =
            Long.parseLong(
                cString(tar, at + 124, 12).trim().isEmpty()
                    ? "0"
                    : cString(tar, at + 124, 12).trim(),
                8);
        char type = (char) tar[at + 156];
        int data = at + 512;
        if (data + size > tar.length) {
          throw ApiError.badRequest("uploadfile", "the tar archive is cut short");
        }
        if ((type == '0' || type == 0) && isPipelineFile(entry)) {
          if (found != null) {
            throw ApiError.badRequest(
                "uploadfile", "the archive holds more than one pipeline file (" + entry + ")");
          }
          found = new String(tar, data, (int) size, StandardCharsets.UTF_8);
        }
        at = data + (int) ((size + 511) / 512 * 512);
      }
      if (found == null) {
        throw ApiError.badRequest("uploadfile", "the tar archive holds no .yaml or .json file");
      }
      return found;
    } catch (IOException | NumberFormatException e) {
      throw ApiError.badRequest("uploadfile", "not a readable .tar.gz archive: " + e.getMessage());
    }
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.US_ASCII);
  }

  private static byte[] readCapped(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
      if (out.size() > MAX_BYTES) {
        throw ApiError.badRequest(
            "uploadfile", "the package is larger than " + (MAX_BYTES >> 20) + " MiB");
      }
    }
    return out.toByteArray();
  }
}
