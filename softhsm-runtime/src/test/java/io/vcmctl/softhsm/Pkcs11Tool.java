package io.vcmctl.softhsm;

import static org.junit.jupiter.api.Assertions.fail;

import io.vcmctl.vcm.VcmRuntime.Pkcs11Access;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tenant's PKCS#11 application: OpenSC's {@code pkcs11-tool} loading the client module, with
 * {@code P11_KIT_SERVER_ADDRESS} set to what the runtime hands out for the VCM. The tenant
 * chooses the PINs; the runtime never sees them.
 */
final class Pkcs11Tool {

  static final Path PROGRAM = Path.of("/usr/bin/pkcs11-tool");
  static final String LABEL = "tenant";
  static final String SO_PIN = "87654321";
  static final String PIN = "246810";

  private final Pkcs11Access access;

  Pkcs11Tool(Pkcs11Access access) {
    this.access = access;
  }

  /** Initialises the token with the tenant's SO PIN, then sets the user PIN. */
  void initialiseToken() {
    run("--init-token", "--label", LABEL, "--so-pin", SO_PIN);
    run("--token-label", LABEL, "--init-pin", "--login", "--so-pin", SO_PIN, "--pin", PIN);
  }

  /** A P-256 key pair on the token, under {@code label}. */
  void generateEcKey(String label) {
    loggedIn("--keypairgen", "--key-type", "EC:prime256v1", "--label", label, "--id", "01");
  }

  void sign(Path input, Path signature) {
    loggedIn("--sign", "--mechanism", "ECDSA", "--id", "01", "--input-file", input.toString(),
        "--output-file", signature.toString());
  }

  /** The tool's verdict on {@code signature} of {@code input}, checked by the token's key. */
  String verify(Path input, Path signature) {
    return loggedIn("--verify", "--mechanism", "ECDSA", "--id", "01", "--input-file", input.toString(),
        "--signature-file", signature.toString());
  }

  /** Runs logged in to the tenant's token with the user PIN; returns the output. */
  String loggedIn(String... args) {
    List<String> all = new ArrayList<>(List.of("--token-label", LABEL, "--login", "--pin", PIN));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  /** Runs pkcs11-tool and returns its output; fails the test unless it exits 0. */
  String run(String... args) {
    List<String> command = new ArrayList<>(List.of(PROGRAM.toString(), "--module", access.clientModule()));
    command.addAll(List.of(args));
    try {
      // Output to a file, so that a hanging tool cannot block the read past the timeout.
      Path outputFile = Files.createTempFile("pkcs11-tool", ".out");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(Redirect.from(new File("/dev/null")))
          .redirectOutput(outputFile.toFile());
      builder.environment().put("P11_KIT_SERVER_ADDRESS", access.serverAddress());
      Process process = builder.start();
      boolean finished = process.waitFor(30, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly();
      }
      String output = Files.readString(outputFile);
      Files.delete(outputFile);
      if (!finished) {
        fail("pkcs11-tool " + String.join(" ", args) + " did not finish within 30 s: " + output);
      }
      if (process.exitValue() != 0) {
        fail("pkcs11-tool " + String.join(" ", args) + " exited " + process.exitValue() + ": " + output);
      }
      return output;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + PROGRAM, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
