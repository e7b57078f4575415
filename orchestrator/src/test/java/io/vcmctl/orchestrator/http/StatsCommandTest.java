package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.vcm.TestTenant;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code vcmadmin stats} once the poller has measured: a table in binary units and the share of the disk limit. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class StatsCommandTest {

  private OpsFleet fleet;
  private final TestTenant tenant = new TestTenant();
  private UUID vcm;

  @BeforeAll
  void startTheDaemon() {
    fleet = OpsFleet.start("stats-command", Duration.ofSeconds(1));
    vcm = fleet.create("alice", tenant, Map.of());
    fleet.start(vcm);
    fleet.enrol(tenant, vcm);
    fleet.write(tenant, vcm, 4 * 1024 * 1024);
    fleet.awaitFreshStats();
  }

  @AfterAll
  void stopTheDaemon() {
    fleet.close();
  }

  @Test
  void theDiskLimitWarningComesFromThePollersOwnLogger() {
    TestTenant bob = new TestTenant();
    UUID big = fleet.create("bob", bob, Map.of());
    fleet.start(big);
    fleet.enrol(bob, big);
    LoggingTestKit.warn("over the limit").withLoggerName(StatsPoller.class.getName())
        .expect(fleet.daemon.orchestrator().system(), () -> {
          fleet.write(bob, big, 17_000_000);
          fleet.awaitFreshStats();
          return null;
        });
  }

  @Test
  void statsAreATableInMibAndShareOfTheDiskLimitAndRawBytesInJson() {
    JsonNode raw = null;
    for (JsonNode entry : fleet.cli("vcmadmin", "stats", "--json").ok().json().path("stats")) {
      raw = entry.path("uuid").asText().equals(vcm.toString()) ? entry : raw;
    }
    assertTrue(raw != null, "no stats for alice");
    long disk = raw.path("disk_bytes").asLong();
    long memory = raw.path("memory_bytes").asLong();
    assertTrue(disk >= 4 * 1024 * 1024, raw.toString());

    List<String> table = fleet.cli("vcmadmin", "stats").ok().out().lines().toList();
    assertEquals(List.of("NAME", "UUID", "STATE", "MEMORY", "DISK", "OF_LIMIT", "COLLECTED"),
        List.of(table.get(0).split("\\s+")), table::toString);
    String row = table.stream().filter(l -> l.startsWith("alice ")).findFirst().orElseThrow();
    String expected = String.format(Locale.ROOT, "alice +%s +active +%.1f MiB +%.1f MiB +%.1f %% +\\d{4}-.*Z",
        vcm.toString().substring(0, 8), memory / 1048576.0, disk / 1048576.0, 100.0 * disk / 16777216);
    assertTrue(row.matches(expected), () -> row + " does not match " + expected);
  }
}
