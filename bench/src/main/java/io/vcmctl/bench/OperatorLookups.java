package io.vcmctl.bench;

import io.vcmctl.bench.Table.Goal;
import io.vcmctl.orchestrator.access.DbOperatorStore;
import io.vcmctl.orchestrator.access.FileOperatorStore;
import io.vcmctl.orchestrator.access.OperatorStore;
import io.vcmctl.orchestrator.access.Role;
import io.vcmctl.orchestrator.access.Tokens;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * 11. What a request's authentication costs: a single daemon's operators are in memory (read
 * from {@code DATA/operators.json}); a cluster's are read from the shared PostgreSQL at every
 * request (embedded, same machine), so that a revocation holds on every node at once. Calls
 * of {@code authenticate} with a valid token among 20 operators, one caller and 4 at once;
 * rounds alternate between the stores.
 */
final class OperatorLookups {

  private static final int OPERATORS = 20;
  private static final int CALLERS = 4;

  private OperatorLookups() {}

  static void run(Bench bench) {
    int calls = bench.quick() ? 500 : 5_000;
    int rounds = bench.quick() ? 1 : 3;
    double[][] p50 = new double[2][rounds];
    double[][] p99 = new double[2][rounds];
    double[][] perSecond = new double[2][rounds];
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
        st.execute(DbOperatorStore.SCHEMA);
      }
      FileOperatorStore file = FileOperatorStore.open(bench.dir("operator-lookups").resolve("operators.json"));
      try (DbOperatorStore db = DbOperatorStore.open(postgres.getJdbcUrl("postgres", "postgres"), "postgres",
          "postgres")) {
        OperatorStore[] stores = {file, db};
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < OPERATORS; i++) {
          tokens.add(Tokens.generate());
          for (OperatorStore store : stores) {
            store.add("op" + i, Role.OPERATOR, tokens.get(i), Instant.now());
          }
        }
        String known = tokens.get(OPERATORS / 2);
        for (OperatorStore store : stores) {
          timed(store, known, calls);
        }
        for (int r = 0; r < rounds; r++) {
          for (int s = 0; s < stores.length; s++) {
            double[] micros = timed(stores[s], known, calls);
            Arrays.sort(micros);
            p50[s][r] = micros[micros.length / 2] / 1000;
            p99[s][r] = micros[(int) (micros.length * 0.99)] / 1000;
            perSecond[s][r] = concurrent(stores[s], known, calls);
          }
        }
      }
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("section 12: " + e.getMessage(), e);
    }
    Table t = bench.table();
    String[] names = {"in memory (DATA/operators.json)", "PostgreSQL per request (cluster)"};
    for (int s = 0; s < names.length; s++) {
      t.add("12", "authenticate, " + names[s] + ", p50", p50[s], Table::ms, Goal.NONE, 0);
      t.add("12", "  p99", p99[s], Table::ms, Goal.NONE, 0);
      t.add("12", "  calls/s, " + CALLERS + " callers", perSecond[s], Table::count, Goal.NONE, 0);
    }
  }

  /** Each call's time in microseconds, one caller. */
  private static double[] timed(OperatorStore store, String token, int calls) {
    double[] micros = new double[calls];
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      store.authenticate(token);
      micros[i] = (System.nanoTime() - t0) / 1000.0;
    }
    return micros;
  }

  private static double concurrent(OperatorStore store, String token, int calls) {
    long t0 = System.nanoTime();
    List<CompletableFuture<Void>> callers = new ArrayList<>();
    for (int c = 0; c < CALLERS; c++) {
      callers.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < calls / CALLERS; i++) {
          store.authenticate(token);
        }
      }));
    }
    callers.forEach(CompletableFuture::join);
    return (calls / CALLERS) * CALLERS / ((System.nanoTime() - t0) / 1e9);
  }
}
