package io.vcmctl.orchestrator.http;

import io.vcmctl.orchestrator.Daemon;
import java.nio.file.Path;
import java.util.List;

/** A daemon in a JVM of its own, so that a test can stop it with a real SIGTERM. */
final class DaemonMain {

  private DaemonMain() {}

  public static void main(String[] args) {
    Daemon.start(Path.of(args[0]), 0, List.of(), null, null, System.out).awaitTermination();
  }
}
