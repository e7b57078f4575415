package io.vcmctl.orchestrator.cli;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.cluster.DbInit;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code orchestrator db}: the shared PostgreSQL database of a cluster. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "The shared database of a cluster.",
    subcommands = DbCommand.Init.class)
final class DbCommand {

  /** A cluster's settings file, as serve --config reads it; anything else is one line ending in {@code notCluster}. */
  static ClusterSettings clusterSettings(Path config, String notCluster) {
    ClusterSettings settings;
    try {
      settings = ClusterSettings.load(config, ConfigFactory.empty());
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
    if (!settings.cluster()) {
      throw new CliException(config + " sets vcmctl.mode = " + settings.mode() + "; " + notCluster);
    }
    return settings;
  }

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = {"Creates the journal, snapshot and operators' tables in the database that FILE names"
          + " (vcmctl.cluster.db); what exists already is kept, so running it again is safe."})
  static final class Init implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", required = true,
        description = "The cluster's settings file, as given to serve --config.")
    Path config;

    @Override
    public Integer call() {
      ClusterSettings settings = clusterSettings(config, "db init is for a cluster (vcmctl.mode = cluster)");
      int statements;
      try {
        statements = DbInit.run(settings);
      } catch (IllegalStateException e) {
        throw new CliException(e.getMessage(), e);
      }
      Out.line("database", settings.section().getString("db.url"));
      Out.line("schema", "ready (" + statements + " statements, existing tables kept)");
      return 0;
    }
  }
}
