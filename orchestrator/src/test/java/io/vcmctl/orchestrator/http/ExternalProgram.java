package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test drives (promtool, prometheus, chromium): a developer machine without it
 * skips the test; under {@code CI=true} a missing program fails it, since {@code .ci/run}
 * installs them all.
 */
public final class ExternalProgram {

  private ExternalProgram() {}

  /** The program's path, from PATH or as given absolutely. */
  public static Path require(String program, String debianPackage) {
    Path found = program.startsWith("/") ? Path.of(program) : which(program);
    if (found != null && Files.isExecutable(found)) {
      return found;
    }
    require(Optional.of(program + " is not installed (Debian package " + debianPackage + "; .ci/run installs it)"));
    return null;
  }

  /** Goes on when nothing is missing; otherwise skips, or fails under CI, with the one line saying what is. */
  public static void require(Optional<String> missing) {
    if (missing.isEmpty()) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(missing.get());
    }
    Assumptions.abort(missing.get());
  }

  private static Path which(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
