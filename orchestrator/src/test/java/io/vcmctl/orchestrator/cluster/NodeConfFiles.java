package io.vcmctl.orchestrator.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A cluster node's settings file on a test database, as an operator would write it. */
public final class NodeConfFiles {

  private NodeConfFiles() {}

  /**
   * {@code DIR/node.conf}, with its keys, admin token and database password file under DIR;
   * {@code more} lines come last, so they may also replace a setting above.
   */
  public static Path write(Path dir, String jdbcUrl, String... more) throws IOException {
    Path password = dir.resolve("db.password");
    Files.writeString(password, "postgres\n");
    Path file = dir.resolve("node.conf");
    Files.writeString(file, String.join("\n",
        "vcmctl.mode = cluster",
        "vcmctl.cluster.seed-nodes = [\"127.0.0.1:25520\"]",
        "vcmctl.cluster.module-keys = \"" + dir.resolve("keys") + "\"",
        "vcmctl.cluster.admin-token-file = \"" + dir.resolve("admin.token") + "\"",
        "vcmctl.cluster.db.url = \"" + jdbcUrl + "\"",
        "vcmctl.cluster.db.user = postgres",
        "vcmctl.cluster.db.password-file = \"" + password + "\"",
        String.join("\n", more)));
    return file;
  }
}
