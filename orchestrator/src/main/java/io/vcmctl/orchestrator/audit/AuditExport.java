package io.vcmctl.orchestrator.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.ModuleSigner;
import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.persistence.audit.JournalEntries;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * An HSM's audit trail as the records of an export file (docs/audit.md): the module key, every
 * entry of the HSM's chain and of each of its VCMs' chains, and a closing checkpoint of every
 * chain head signed by the module key now.
 */
public final class AuditExport {

  public static final String FORMAT = "vcmctl-audit/1";

  private final List<ObjectNode> records = new ArrayList<>();
  private final ArrayNode heads = AuditChain.MAPPER.createArrayNode();
  private final String publicKey;
  private long entries;

  private AuditExport(String publicKey) {
    this.publicKey = publicKey;
  }

  /** The export of HSM {@code esn}, whose module key is in {@code keyDirectory}. */
  public static CompletionStage<List<ObjectNode>> of(ActorSystem<?> system, String esn, Path keyDirectory, Instant now) {
    return read(system, esn).thenApply(export -> {
      ModuleSigner signer;
      try {
        signer = ModuleSigner.of(keyDirectory, esn, export.publicKey);
      } catch (IllegalStateException e) {
        throw new Refusal(Code.UNAVAILABLE, e.getMessage());
      }
      return export.close(esn, now, signer);
    });
  }

  /**
   * The export without its closing checkpoint, for a trail whose module key is not at hand (a
   * copied data directory holds the public key only): a verifier checks every entry, then
   * reports the missing checkpoint.
   */
  public static CompletionStage<List<ObjectNode>> unsigned(ActorSystem<?> system, String esn) {
    return read(system, esn).thenApply(export -> export.records);
  }

  private static CompletionStage<AuditExport> read(ActorSystem<?> system, String esn) {
    String hsm = HsmEntity.persistenceId(esn).id();
    return JournalEntries.read(system, hsm, 0, Long.MAX_VALUE).thenCompose(hsmEntries -> {
      if (hsmEntries.isEmpty() || !(hsmEntries.get(0).event() instanceof HsmEntity.IdentityEstablished identity)) {
        throw new Refusal(Code.UNAVAILABLE, "HSM " + esn + " has no identity in its journal yet; export once it has"
            + " started");
      }
      AuditExport export = new AuditExport(identity.modulePublicKey());
      export.header(esn);
      export.chain(hsm, hsmEntries);
      CompletionStage<Void> vcms = CompletableFuture.completedFuture(null);
      for (UUID vcm : admitted(hsmEntries)) {
        String pid = VcmEntity.persistenceId(vcm).id();
        vcms = vcms.thenCompose(x -> JournalEntries.read(system, pid, 0, Long.MAX_VALUE))
            .thenAccept(stored -> export.chain(pid, stored));
      }
      return vcms.thenApply(x -> export);
    });
  }

  /** The digest the HSM's {@code AuditExported} event records: hex SHA-256 of the checkpoint's canonical JSON. */
  public static String digest(ObjectNode checkpoint) {
    return PublicKeys.sha256Hex(AuditChain.canonicalJson(checkpoint));
  }

  /** Every VCM the HSM ever admitted, in order; a deleted VCM's trail stays in the export. */
  private static Set<UUID> admitted(List<JournalEntries.Stored> hsmEntries) {
    Set<UUID> out = new LinkedHashSet<>();
    for (JournalEntries.Stored e : hsmEntries) {
      if (e.event() instanceof HsmEntity.VcmAdmitted a) {
        out.add(a.uuid());
      }
    }
    return out;
  }

  private void header(String esn) {
    ObjectNode h = AuditChain.MAPPER.createObjectNode();
    h.put("record", "module_key");
    h.put("format", FORMAT);
    h.put("esn", esn);
    h.put("public_key", publicKey);
    h.put("fingerprint", PublicKeys.fingerprint(publicKey));
    records.add(h);
  }

  private void chain(String pid, List<JournalEntries.Stored> stored) {
    if (stored.isEmpty()) {
      return;
    }
    String head = AuditChain.GENESIS;
    for (JournalEntries.Stored e : stored) {
      ObjectNode r = AuditChain.MAPPER.createObjectNode();
      r.put("record", "entry");
      r.put("persistence_id", pid);
      r.put("seq", e.seq());
      r.put("type", AuditChain.type(e.event()));
      r.set("event", AuditChain.eventJson(e.event()));
      if (e.hash() != null) {
        head = e.hash();
      } else {
        // Written before the chain existed and not yet chained by its entity: chained here, the same way.
        head = AuditChain.hash(head, pid, e.seq(), e.event());
        r.put("legacy", true);
      }
      r.put("hash", head);
      if (e.migratedThrough() > 0) {
        r.put("migrated_through", e.migratedThrough());
      }
      if (e.checkpoint() != null) {
        r.put("checkpoint", Base64.getEncoder().encodeToString(e.checkpoint()));
      }
      records.add(r);
      entries++;
    }
    ObjectNode h = heads.addObject();
    h.put("persistence_id", pid);
    h.put("seq", stored.get(stored.size() - 1).seq());
    h.put("hash", head);
  }

  private List<ObjectNode> close(String esn, Instant now, ModuleSigner signer) {
    ObjectNode c = AuditChain.MAPPER.createObjectNode();
    c.put("record", "checkpoint");
    c.put("esn", esn);
    c.put("at", now.toString());
    c.put("entries", entries);
    c.set("heads", heads);
    c.put("signature", Base64.getEncoder().encodeToString(signer.sign(AuditChain.canonicalJson(c))));
    records.add(c);
    return records;
  }
}
