package io.vcmctl.orchestrator.access;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.SafeText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operators of a cluster in its shared PostgreSQL database (table {@value #TABLE}, made by
 * {@code orchestrator db init}), so that every node knows them. Nothing is cached: every call,
 * authentication included, reads the table, so a revocation or rotation on one node holds on
 * every node from its next request. Changes are single statements; revoking an admin locks the
 * active admins' rows, so two nodes revoking the last two admins at once cannot leave none.
 */
public final class DbOperatorStore implements OperatorStore, AutoCloseable {

  public static final String TABLE = "vcmctl_operators";
  /** For {@code db init}: what exists is kept. */
  public static final String SCHEMA = "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
      + "name TEXT PRIMARY KEY, role TEXT NOT NULL, salt BYTEA NOT NULL, hash BYTEA NOT NULL,"
      + " created_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ)";

  private static final String COLUMNS = "name, role, salt, hash, created_at, revoked_at";
  private static final int QUERY_TIMEOUT_SECONDS = 5;

  private final HikariDataSource pool;
  private final String url;

  private DbOperatorStore(HikariDataSource pool, String url) {
    this.pool = pool;
    this.url = url;
  }

  /** The store in the database of a cluster's settings ({@code vcmctl.cluster.db}). */
  public static DbOperatorStore open(ClusterSettings settings) {
    Config db = settings.section().getConfig("db");
    return open(db.getString("url"), db.getString("user"), db.getString("password"));
  }

  /**
   * A small pool of connections to the database; checks that the table exists.
   *
   * @throws IllegalStateException one line: the database cannot be reached, or {@code db init} was not run
   */
  public static DbOperatorStore open(String url, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName("vcmctl-operators");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    // The first connection is tried at once, so a wrong URL or password is one line at start.
    config.setInitializationFailTimeout(5_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new IllegalStateException("operators' database " + url + ": " + firstLine(e)
          + " (check vcmctl.cluster.db and that PostgreSQL runs)", e);
    }
    DbOperatorStore store = new DbOperatorStore(pool, url);
    try (Connection c = pool.getConnection();
        ResultSet tables = c.getMetaData().getTables(null, null, TABLE, new String[] {"TABLE"})) {
      if (!tables.next()) {
        pool.close();
        throw new IllegalStateException("the database " + url + " has no table " + TABLE + "; run orchestrator db"
            + " init --config FILE once (it keeps what exists)");
      }
    } catch (SQLException e) {
      pool.close();
      throw store.unavailable(e);
    }
    return store;
  }

  @Override
  public List<Operator> list() {
    return query("SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY name", null);
  }

  @Override
  public Optional<Operator> find(String name) {
    return query("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE name = ?", name).stream().findFirst();
  }

  @Override
  public Optional<Operator> authenticate(String token) {
    if (!Tokens.wellFormed(token)) {
      return Optional.empty();
    }
    Operator found = null;
    // Every active operator is hashed, so how long this takes does not tell which one matched.
    for (Operator op : query("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE revoked_at IS NULL", null)) {
      if (Tokens.matches(op, token)) {
        found = op;
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public Operator add(String name, Role role, String token, Instant at) {
    Operator.checkName(name);
    byte[] salt = Tokens.salt();
    Operator added = new Operator(name, role, salt, Tokens.hash(salt, token), at, null);
    int rows = update("INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, NULL)"
        + " ON CONFLICT (name) DO NOTHING", name, role.label(), salt, added.hash(), Timestamp.from(at));
    if (rows == 0) {
      throw OperatorStore.taken(find(name).orElse(added));
    }
    return added;
  }

  @Override
  public Operator rotate(String name, String token) {
    byte[] salt = Tokens.salt();
    byte[] hash = Tokens.hash(salt, token);
    if (update("UPDATE " + TABLE + " SET salt = ?, hash = ? WHERE name = ? AND revoked_at IS NULL", salt, hash,
        name) == 0) {
      throw notActive(name);
    }
    return find(name).orElseThrow(() -> OperatorStore.unknown(name));
  }

  /** @throws IllegalStateException the operator is the last active admin */
  @Override
  public Operator revoke(String name, Instant at) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<String> admins = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT name FROM " + TABLE
            + " WHERE role = 'admin' AND revoked_at IS NULL FOR UPDATE")) {
          st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              admins.add(rs.getString(1));
            }
          }
        }
        if (admins.size() == 1 && admins.contains(name)) {
          throw OperatorStore.lastAdmin(name);
        }
        int rows;
        try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET revoked_at = ? WHERE name = ?"
            + " AND revoked_at IS NULL")) {
          st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
          st.setTimestamp(1, Timestamp.from(at));
          st.setString(2, name);
          rows = st.executeUpdate();
        }
        c.commit();
        if (rows == 0) {
          throw notActive(name);
        }
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
    return find(name).orElseThrow(() -> OperatorStore.unknown(name));
  }

  @Override
  public void close() {
    pool.close();
  }

  private RuntimeException notActive(String name) {
    return find(name).<RuntimeException>map(op -> OperatorStore.revoked(name))
        .orElseGet(() -> OperatorStore.unknown(name));
  }

  private List<Operator> query(String sql, String name) {
    try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
      st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      if (name != null) {
        st.setString(1, name);
      }
      List<Operator> operators = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Timestamp revoked = rs.getTimestamp(6);
          operators.add(new Operator(rs.getString(1), Role.parse(rs.getString(2)), rs.getBytes(3), rs.getBytes(4),
              rs.getTimestamp(5).toInstant(), revoked == null ? null : revoked.toInstant()));
        }
      }
      return operators;
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private int update(String sql, Object... values) {
    try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
      st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      for (int i = 0; i < values.length; i++) {
        st.setObject(i + 1, values[i]);
      }
      return st.executeUpdate();
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /** The call cannot be decided without the database: refused as unavailable, never let through. */
  private Refusal unavailable(SQLException e) {
    return new Refusal(Refusal.Code.UNAVAILABLE, "the operators' database " + url + " did not answer ("
        + firstLine(e) + "); try again once PostgreSQL runs");
  }

  private static String firstLine(Exception e) {
    return SafeText.oneLine(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
  }
}
