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
import io.vcmctl.vcm.VcmEntity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A run like the README's quick start, and what the audit commands make of its export. */
public final class AuditRuns {

  private AuditRuns() {}

  /** The vendor key that signs {@link #quickStart}'s licence. */
  public static PublicKey vendorKey() {
    return OrchestratorFacadeTest.VENDOR.getPublic();
  }

  /** Licence, networking, reset; three VCMs: one active and enrolled, one force-stopped, one deleted; a reset. */
  public static List<UUID> quickStart(Orchestrator o) {
    OrchestratorFacadeTest.ready(o, null, 3);
    TestTenant tenant = new TestTenant();
    List<UUID> vcms = new ArrayList<>();
    for (String name : List.of("alice", "bob", "carol")) {
      TestTenant t = name.equals("alice") ? tenant : new TestTenant();
      vcms.add(await(o.createVcm(null, t.createRequest(Map.of("name", name), Instant.now()), ProviderChoices.NONE,
          ADMIN)).view().uuid());
    }
    await(o.startVcm(vcms.get(0), null, ADMIN));
    await(o.tenantAction(vcms.get(0), tenant.principal(), VcmEntity.Action.ENROLL));
    await(o.startVcm(vcms.get(1), null, ADMIN));
    await(o.stopVcm(vcms.get(1), true, ADMIN));
    await(o.deleteVcm(vcms.get(2), false, ADMIN));
    await(o.reset(null, ADMIN));
    return vcms;
  }

  /** The export as the file's lines. */
  static List<String> export(Orchestrator o) {
    List<String> lines = new ArrayList<>();
    for (ObjectNode record : await(o.auditExport(null))) {
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
