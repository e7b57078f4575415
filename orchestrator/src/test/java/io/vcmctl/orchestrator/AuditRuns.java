package io.vcmctl.orchestrator;

import static io.vcmctl.orchestrator.OrchestratorFacadeTest.ADMIN;
import static io.vcmctl.orchestrator.OrchestratorFacadeTest.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.orchestrator.audit.AuditReplay;
import io.vcmctl.orchestrator.audit.AuditVerifier;
import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;

/** A run like the README's quick start, and what the audit commands make of its export. */
public final class AuditRuns {

  private AuditRuns() {}

  /** The vendor key that signs {@link #quickStart}'s licence. */
  public static PublicKey vendorKey() {
    return OrchestratorFacadeTest.VENDOR.getPublic();
  }

  /** How often the stats poller runs in these runs, so that a disk-limit stop comes soon. */
  public static final Duration STATS_DELAY = Duration.ofMillis(200);

  /**
   * Licence, networking, reset; four VCMs: one active and enrolled, one force-stopped, one
   * deleted, one stopped by the poller for the disk limit; a reset. The orchestrator's stats
   * poller must run every {@link #STATS_DELAY}.
   */
  public static List<UUID> quickStart(Orchestrator o) {
    OrchestratorFacadeTest.ready(o, null, 3);
    Map<String, TestTenant> tenants = new LinkedHashMap<>();
    List<UUID> vcms = new ArrayList<>();
    for (String name : List.of("alice", "bob", "carol", "dave")) {
      TestTenant t = tenants.computeIfAbsent(name, n -> new TestTenant());
      vcms.add(await(o.createVcm(null, t.createRequest(Map.of("name", name), Instant.now()), ProviderChoices.NONE,
          ADMIN)).view().uuid());
    }
    await(o.startVcm(vcms.get(0), null, ADMIN));
    await(o.tenantAction(vcms.get(0), tenants.get("alice").principal(), VcmEntity.Action.ENROLL));
    await(o.startVcm(vcms.get(1), null, ADMIN));
    await(o.stopVcm(vcms.get(1), true, ADMIN));
    await(o.deleteVcm(vcms.get(2), false, ADMIN));
    await(o.startVcm(vcms.get(3), null, ADMIN));
    await(o.tenantAction(vcms.get(3), tenants.get("dave").principal(), VcmEntity.Action.ENROLL));
    await(o.writeData(vcms.get(3), tenants.get("dave").principal(), 17_000_000));
    awaitTwoPolls(o);
    if (await(o.vcm(vcms.get(3))).status() != VcmStatus.DISK_LIMIT_STOPPED) {
      throw new AssertionError("dave, over the disk limit, was not stopped by the poller");
    }
    await(o.reset(null, ADMIN));
    return vcms;
  }

  /** Two complete stats polls: the second started after the data was written. */
  private static void awaitTwoPolls(Orchestrator o) {
    TestProbe<StatsPoller.CycleCompleted> cycles = TestProbe.create(o.system());
    o.system().eventStream().tell(new EventStream.Subscribe<>(StatsPoller.CycleCompleted.class, cycles.getRef()));
    cycles.receiveMessage(Duration.ofSeconds(30));
    cycles.receiveMessage(Duration.ofSeconds(30));
    o.system().eventStream().tell(new EventStream.Unsubscribe<>(cycles.getRef()));
    cycles.stop();
  }

  /** The export as the file's lines. */
  static List<String> export(Orchestrator o) {
    List<String> lines = new ArrayList<>();
    for (ObjectNode record : await(o.auditExport(null, ADMIN))) {
      try {
        lines.add(AuditChain.MAPPER.writeValueAsString(record));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return lines;
  }

  static AuditVerifier.Verified verify(List<String> lines, PublicKey pinned) throws AuditVerifier.Failed {
    try {
      return AuditVerifier.verify(reader(lines), pinned, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode replay(List<String> lines) throws AuditVerifier.Failed {
    try {
      return AuditReplay.replay(reader(lines));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BufferedReader reader(List<String> lines) {
    return new BufferedReader(new StringReader(String.join("\n", lines) + "\n"));
  }
}
