package io.vcmctl.orchestrator.cluster;

import com.typesafe.config.Config;
import io.vcmctl.orchestrator.access.DbOperatorStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code orchestrator db init}: the journal's tables from the PostgreSQL script that ships in
 * pekko-persistence-jdbc, so that the schema always matches the plugin in use, and the table of
 * the operators every node shares ({@link DbOperatorStore}). The script as
 * shipped fails when run twice (one index lacks {@code IF NOT EXISTS}) and cannot run as one
 * transaction ({@code CREATE INDEX CONCURRENTLY}); each statement runs on its own, in
 * auto-commit, with {@code IF NOT EXISTS} added to every index.
 */
public final class DbInit {

  static final String SCRIPT = "schema/postgres/postgres-create-schema.sql";
  private static final Pattern INDEX = Pattern.compile(
      "(?i)^(CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?)(?!IF\\s+NOT\\s+EXISTS)");

  private DbInit() {}

  /** The statements of the shipped script, each made safe to run again. */
  static List<String> statements() {
    String script;
    try (InputStream in = DbInit.class.getClassLoader().getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the class path (pekko-persistence-jdbc)");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCRIPT + ": " + e.getMessage(), e);
    }
    List<String> statements = new ArrayList<>();
    for (String raw : script.split(";")) {
      String statement = raw.strip();
      if (!statement.isEmpty()) {
        Matcher m = INDEX.matcher(statement);
        statements.add(m.find() ? m.replaceFirst("$1IF NOT EXISTS ") : statement);
      }
    }
    statements.add(DbOperatorStore.SCHEMA);
    return statements;
  }

  /**
   * Creates what is missing in the database of {@code settings}; returns how many statements ran.
   *
   * @throws IllegalStateException one line: the database cannot be reached or refused a statement
   */
  public static int run(ClusterSettings settings) {
    Config db = settings.section().getConfig("db");
    Properties props = new Properties();
    props.setProperty("user", db.getString("user"));
    props.setProperty("password", db.getString("password"));
    String url = db.getString("url");
    try (Connection connection = DriverManager.getConnection(url, props)) {
      connection.setAutoCommit(true);
      List<String> statements = statements();
      for (String statement : statements) {
        try (Statement st = connection.createStatement()) {
          st.execute(statement);
        }
      }
      return statements.size();
    } catch (SQLException e) {
      throw new IllegalStateException("database " + url + ": " + String.valueOf(e.getMessage()).lines()
          .findFirst().orElse("") + " (check vcmctl.cluster.db and that PostgreSQL runs)", e);
    }
  }
}
