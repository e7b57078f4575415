package io.vcmctl.orchestrator;

import io.vcmctl.persistence.DataDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HSMs a data directory holds, remembered in {@code DIR/esns} so that a restart without
 * {@code --esn} brings every one of them back.
 */
final class Esns {

  private static final Pattern ESN = Pattern.compile("[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}");
  private static final String FILE = "esns";

  private Esns() {}

  /** An ESN in its canonical (upper-case) form, or an IllegalArgumentException saying what one looks like. */
  static String canonical(String esn) {
    String upper = esn == null ? "" : esn.trim().toUpperCase(Locale.ROOT);
    if (!ESN.matcher(upper).matches()) {
      throw new IllegalArgumentException("'" + esn + "' is not an ESN; an ESN looks like 5E4D-03E0-D947");
    }
    return upper;
  }

  /** The recorded ESNs plus the requested ones; a fresh directory with none requested gets a new ESN. */
  static List<String> resolve(DataDirectory dir, List<String> requested) {
    Path file = dir.resolve(FILE);
    Set<String> all = new LinkedHashSet<>();
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            all.add(canonical(line));
          }
        }
      }
      requested.forEach(e -> all.add(canonical(e)));
      if (all.isEmpty()) {
        all.add(random());
      }
      Files.writeString(file, String.join("\n", all) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the HSMs of " + dir + ": " + e.getMessage(), e);
    }
    return List.copyOf(all);
  }

  private static String random() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length; i++) {
      if (i > 0 && i % 2 == 0) {
        sb.append('-');
      }
      sb.append(String.format("%02X", b[i]));
    }
    return sb.toString();
  }
}
