package io.vcmctl.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.bench.Table.Goal;
import io.vcmctl.orchestrator.audit.AuditExport;
import io.vcmctl.orchestrator.audit.AuditVerifier;
import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.vcm.EventMeta;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.request.PublicKeys;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * 9. Offline verification speed: {@code orchestrator audit verify}'s check of an export of
 * 100,000 entries (100 VCM chains of start/stop events, a checkpoint every 100 entries, the
 * closing checkpoint), read from a file, in entries per second.
 */
final class AuditVerify {

  private static final int CHAINS = 100;
  private static final int CHECKPOINT_EVERY = 100;

  private AuditVerify() {}

  static void run(Bench bench) {
    int perChain = bench.quick() ? 100 : 1000;
    int rounds = bench.quick() ? 1 : 3;
    Path file = bench.dir("audit-verify").resolve("trail.jsonl");
    KeyPair key = PublicKeys.generateEd25519();
    write(file, key, perChain);
    double[] rate = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        AuditVerifier.Verified v = AuditVerifier.verify(in, key.getPublic(), null);
        rate[r] = v.entries() / ((System.nanoTime() - t0) / 1e9);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (AuditVerifier.Failed e) {
        throw new IllegalStateException("the generated export does not verify: " + e.getMessage(), e);
      }
    }
    bench.table().add("9", "audit verify, " + CHAINS * perChain + "-entry export, entries/s", rate, Table::count,
        Goal.NONE, 0);
  }

  /** An export as the product writes it, of {@code perChain} start/stop events in each of 100 VCM chains. */
  private static void write(Path file, KeyPair key, int perChain) {
    try {
      Files.createDirectories(file.getParent());
      try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        ObjectNode header = AuditChain.MAPPER.createObjectNode();
        header.put("record", "module_key");
        header.put("format", AuditExport.FORMAT);
        header.put("esn", Product.ESN);
        header.put("public_key", PublicKeys.encode(key.getPublic()));
        header.put("fingerprint", PublicKeys.fingerprint(key.getPublic()));
        out.write(header + "\n");
        ObjectNode checkpoint = AuditChain.MAPPER.createObjectNode();
        checkpoint.put("record", "checkpoint");
        checkpoint.put("esn", Product.ESN);
        checkpoint.put("at", Instant.now().toString());
        checkpoint.put("entries", (long) CHAINS * perChain);
        var heads = checkpoint.putArray("heads");
        EventMeta meta = new EventMeta(Instant.now(), Principal.provider("admin"), null);
        for (int c = 0; c < CHAINS; c++) {
          UUID vcm = UUID.randomUUID();
          String pid = VcmEntity.persistenceId(vcm).id();
          String head = AuditChain.GENESIS;
          for (long seq = 1; seq <= perChain; seq++) {
            Object event = seq % 2 == 1 ? new VcmEntity.VcmStarted(vcm, meta) : new VcmEntity.VcmStopped(vcm, false, meta);
            head = AuditChain.hash(head, pid, seq, event);
            ObjectNode r = AuditChain.MAPPER.createObjectNode();
            r.put("record", "entry");
            r.put("persistence_id", pid);
            r.put("seq", seq);
            r.put("type", AuditChain.type(event));
            r.set("event", AuditChain.eventJson(event));
            r.put("hash", head);
            if (seq % CHECKPOINT_EVERY == 0) {
              r.put("checkpoint", Base64.getEncoder().encodeToString(PublicKeys.sign(key.getPrivate(),
                  AuditChain.checkpoint(pid, seq, head))));
            }
            out.write(r + "\n");
          }
          ObjectNode h = heads.addObject();
          h.put("persistence_id", pid);
          h.put("seq", perChain);
          h.put("hash", head);
        }
        checkpoint.put("signature", Base64.getEncoder().encodeToString(PublicKeys.sign(key.getPrivate(),
            AuditChain.canonicalJson(checkpoint))));
        out.write(checkpoint + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
