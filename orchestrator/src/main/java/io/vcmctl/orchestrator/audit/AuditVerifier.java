package io.vcmctl.orchestrator.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vcmctl.persistence.audit.AuditChain;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.io.BufferedReader;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an audit export offline (docs/audit.md, "How to verify"): every chain is complete and
 * in order, every entry matches its hash, the module key is the one the HSM recorded at birth
 * (and the pinned one, if given), and the closing checkpoint is signed by it over every head.
 * The first thing wrong ends the check with one line naming the entry.
 */
public final class AuditVerifier {

  private static final Pattern SEQ = Pattern.compile("\"seq\"\\s*:\\s*(\\d+)");
  private static final Pattern PID = Pattern.compile("\"persistence_id\"\\s*:\\s*\"([^\"]{1,200})\"");
  private static final String HSM_PREFIX = "hsm|";
  private static final String VCM_PREFIX = "vcm|";

  /** What a successful check found. */
  public record Verified(long entries, int chains, Instant first, Instant last, int checkpoints, String fingerprint,
      boolean pinned) {

    /** The one line {@code orchestrator audit verify} prints. */
    public String summary() {
      return "verified: " + entries + " entries in " + chains + " chains, from " + first + " to " + last + ", "
          + checkpoints + " signed checkpoints checked, module key " + fingerprint
          + (pinned ? " (the pinned key)" : " (compare it with the module_key_fingerprint of hsmadmin info)");
    }
  }

  /** The first thing wrong with the export, in one line. */
  public static final class Failed extends Exception {
    Failed(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Chain {
    long seq;
    String head = AuditChain.GENESIS;
  }

  private final PublicKey pinned;
  private final Map<String, Chain> chains = new LinkedHashMap<>();
  /** VCMs the HSM admitted and did not withdraw, by persistence id, with the admitting entry. */
  private final Map<String, String> admitted = new LinkedHashMap<>();
  private PublicKey key;
  private String encodedKey;
  private String fingerprint;
  private long line;
  private long entries;
  private int checkpoints;
  private boolean closed;
  private String lastEntry;
  private Instant first;
  private Instant last;

  private AuditVerifier(PublicKey pinned) {
    this.pinned = pinned;
  }

  /**
   * Verifies the export read from {@code in}.
   *
   * @param pinned the module key the export must be signed with, or {@code null} to trust the
   *     one it carries (and report its fingerprint)
   * @param entry told each verified entry, in file order (a replay builds on them); may be {@code null}
   */
  public static Verified verify(BufferedReader in, PublicKey pinned, Consumer<ObjectNode> entry)
      throws Failed, IOException {
    AuditVerifier v = new AuditVerifier(pinned);
    for (String text = in.readLine(); text != null; text = in.readLine()) {
      v.line++;
      ObjectNode record = v.parse(text);
      v.check(record);
      if (entry != null && "entry".equals(record.path("record").asText())) {
        entry.accept(record);
      }
    }
    return v.finish();
  }

  private ObjectNode parse(String text) throws Failed {
    JsonNode node;
    try {
      node = AuditChain.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node instanceof ObjectNode o) {
      return o;
    }
    Matcher seq = SEQ.matcher(text);
    Matcher pid = PID.matcher(text);
    String what = seq.find() && pid.find() ? "entry seq " + seq.group(1) + " of " + pid.group(1) + " (line " + line + ")"
        : "line " + line + (lastEntry == null ? "" : ", after entry " + lastEntry + ",");
    throw new Failed(what + " is not a JSON record: the file was changed or cut there");
  }

  private void check(ObjectNode r) throws Failed {
    String kind = r.path("record").asText();
    if (line == 1 && !"module_key".equals(kind)) {
      throw new Failed("line 1 is not the module key record: this is not an audit export, or its start was cut");
    }
    if (closed) {
      throw new Failed(describe(r) + " comes after the closing checkpoint: it was appended");
    }
    switch (kind) {
      case "module_key" -> header(r);
      case "entry" -> entry(r);
      case "checkpoint" -> checkpoint(r);
      default -> throw new Failed("line " + line + " is not an audit record (record: '" + kind + "')");
    }
  }

  private void header(ObjectNode r) throws Failed {
    if (line != 1) {
      throw new Failed("line " + line + " is a second module key record: the export was changed");
    }
    if (!AuditExport.FORMAT.equals(r.path("format").asText())) {
      throw new Failed("the export's format is '" + r.path("format").asText() + "', not " + AuditExport.FORMAT);
    }
    encodedKey = r.path("public_key").asText();
    try {
      key = PublicKeys.decode(encodedKey);
    } catch (RequestException e) {
      throw new Failed("the export's module key is unreadable: " + e.getMessage());
    }
    fingerprint = PublicKeys.fingerprint(key);
    if (pinned != null && !PublicKeys.encode(pinned).equals(PublicKeys.encode(key))) {
      throw new Failed("the export is signed by module key " + fingerprint + ", not the pinned "
          + PublicKeys.fingerprint(pinned) + ": the key was replaced, so no entry from seq 1 on is vouched for");
    }
  }

  private void entry(ObjectNode r) throws Failed {
    String pid = r.path("persistence_id").asText();
    long seq = r.path("seq").asLong(-1);
    String type = r.path("type").asText();
    JsonNode event = r.get("event");
    if (pid.isEmpty() || seq < 1 || type.isEmpty() || event == null || !event.isObject()) {
      throw new Failed(describe(r) + " lacks its persistence_id, seq, type or event: the export was changed");
    }
    Chain chain = chains.computeIfAbsent(pid, p -> new Chain());
    long expected = chain.seq + 1;
    if (seq > expected) {
      throw new Failed("entry seq " + expected + " of " + pid + " is missing: line " + line + " holds seq " + seq
          + " (an entry was removed, or entries were reordered)");
    }
    if (seq < expected) {
      throw new Failed("entry seq " + seq + " of " + pid + " (line " + line + ") comes after seq " + chain.seq
          + ": entries were reordered or repeated");
    }
    String hash = AuditChain.hash(chain.head, AuditChain.canonical(pid, seq, type, event));
    if (!hash.equals(r.path("hash").asText())) {
      throw new Failed("entry seq " + seq + " of " + pid + " (line " + line
          + ") does not match its hash: it, or the entry before it, was changed");
    }
    if (pid.startsWith(HSM_PREFIX) && "IdentityEstablished".equals(type)
        && !encodedKey.equals(event.path("modulePublicKey").asText())) {
      throw new Failed("entry seq " + seq + " of " + pid + " records module key "
          + PublicKeys.fingerprint(event.path("modulePublicKey").asText()) + ", but the export is signed by "
          + fingerprint + ": the key was replaced");
    }
    if (r.has("checkpoint")) {
      if (!PublicKeys.verify(key, AuditChain.checkpoint(pid, seq, hash), base64(r.path("checkpoint").asText()))) {
        throw new Failed("entry seq " + seq + " of " + pid + " (line " + line + ") carries a checkpoint not signed by"
            + " module key " + fingerprint + ": it was forged, or the key replaced");
      }
      checkpoints++;
    }
    if (pid.startsWith(HSM_PREFIX)) {
      String vcm = VCM_PREFIX + event.path("uuid").asText();
      if ("VcmAdmitted".equals(type)) {
        admitted.put(vcm, "seq " + seq + " of " + pid);
      } else if ("VcmAdmissionWithdrawn".equals(type)) {
        admitted.remove(vcm);
      }
    }
    chain.seq = seq;
    chain.head = hash;
    entries++;
    lastEntry = "seq " + seq + " of " + pid + " (line " + line + ")";
    time(event.path("meta").path("at").asText(null));
  }

  private void time(String at) {
    if (at == null) {
      return;
    }
    try {
      Instant t = Instant.parse(at);
      first = first == null || t.isBefore(first) ? t : first;
      last = last == null || t.isAfter(last) ? t : last;
    } catch (DateTimeParseException e) {
      // The time is covered by the hash like the rest; an odd one is reported as found, not as a failure.
    }
  }

  private void checkpoint(ObjectNode r) throws Failed {
    ObjectNode signed = r.deepCopy();
    String signature = signed.path("signature").asText();
    signed.remove("signature");
    if (!PublicKeys.verify(key, AuditChain.canonicalJson(signed), base64(signature))) {
      throw new Failed("the checkpoint at line " + line + " is not signed by module key " + fingerprint
          + ": it was changed" + (lastEntry == null ? "" : " (last entry before it: " + lastEntry + ")"));
    }
    Set<String> covered = new HashSet<>();
    for (JsonNode h : r.path("heads")) {
      String pid = h.path("persistence_id").asText();
      long seq = h.path("seq").asLong();
      covered.add(pid);
      Chain chain = chains.get(pid);
      if (chain == null) {
        throw new Failed("entry seq 1 of " + pid + " is missing: the signed checkpoint covers its trail up to seq " + seq
            + ", and none of it is in the export");
      }
      if (chain.seq < seq) {
        throw new Failed("entry seq " + (chain.seq + 1) + " of " + pid + " is missing: the signed checkpoint covers up to"
            + " seq " + seq);
      }
      if (chain.seq > seq) {
        throw new Failed("entry seq " + (seq + 1) + " of " + pid + " is not covered by the signed checkpoint (which ends"
            + " that chain at seq " + seq + "): it was added");
      }
      if (!chain.head.equals(h.path("hash").asText())) {
        throw new Failed("entry seq " + seq + " of " + pid + " does not match the signed checkpoint: the chain was"
            + " rewritten up to there");
      }
    }
    for (Map.Entry<String, String> a : admitted.entrySet()) {
      if (!chains.containsKey(a.getKey())) {
        throw new Failed("entry seq 1 of " + a.getKey() + " is missing: the HSM admitted that VCM (entry " + a.getValue()
            + ") and its trail is not in the export");
      }
    }
    for (Map.Entry<String, Chain> c : chains.entrySet()) {
      if (!covered.contains(c.getKey())) {
        throw new Failed("entry seq 1 of " + c.getKey() + " is not covered by the signed checkpoint: that trail was added");
      }
    }
    checkpoints++;
    closed = true;
  }

  private static byte[] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Verified finish() throws Failed {
    if (line == 0) {
      throw new Failed("the file is empty: it is not an audit export");
    }
    if (!closed) {
      throw new Failed("the export ends " + (lastEntry == null ? "before its first entry" : "after entry " + lastEntry)
          + " without its closing checkpoint: it was cut");
    }
    return new Verified(entries, chains.size(), first, last, checkpoints, fingerprint, pinned != null);
  }

  private String describe(ObjectNode r) {
    return r.has("seq") ? "entry seq " + r.path("seq").asText() + " of " + r.path("persistence_id").asText()
        + " (line " + line + ")" : "line " + line;
  }
}
