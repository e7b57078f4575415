package io.vcmctl.persistence.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash chain's one definition (docs/audit.md says the same in prose): an entry's canonical
 * bytes are the UTF-8 of the compact JSON object {@code {"event":…,"persistence_id":…,"seq":…,
 * "type":…}} with the keys of every object sorted; its hash is the hex SHA-256 of the previous
 * entry's hash (32 raw bytes; 32 zero bytes before the first entry) followed by those bytes.
 */
public final class AuditChain {

  /** The hash before an entity's first entry. */
  public static final String GENESIS = "0".repeat(64);

  /** Events as JSON: times and durations as ISO-8601 strings, so a verifier sees them as written. */
  public static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .build();

  private AuditChain() {}

  /** The event's type as the trail names it: its simple class name. */
  public static String type(Object event) {
    return event.getClass().getSimpleName();
  }

  public static JsonNode eventJson(Object event) {
    return MAPPER.valueToTree(event);
  }

  /** The canonical bytes of one entry. */
  public static byte[] canonical(String persistenceId, long seq, String type, JsonNode event) {
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    entry.set("event", event);
    entry.put("persistence_id", persistenceId);
    entry.put("seq", seq);
    entry.put("type", type);
    return canonicalJson(entry);
  }

  /** The bytes a checkpoint signs: the canonical JSON of {@code {"hash","persistence_id","seq"}}. */
  public static byte[] checkpoint(String persistenceId, long seq, String hash) {
    ObjectNode head = JsonNodeFactory.instance.objectNode();
    head.put("hash", hash);
    head.put("persistence_id", persistenceId);
    head.put("seq", seq);
    return canonicalJson(head);
  }

  /** Compact JSON with every object's keys sorted, as UTF-8. */
  public static byte[] canonicalJson(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(sorted(node)).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write canonical JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The hash of an entry whose predecessor's hash is {@code previous}. */
  public static String hash(String previous, byte[] canonical) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(HexFormat.of().parseHex(previous));
      return HexFormat.of().formatHex(sha.digest(canonical));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The hash of {@code event} at {@code seq} of {@code persistenceId}, after {@code previous}. */
  public static String hash(String previous, String persistenceId, long seq, Object event) {
    return hash(previous, canonical(persistenceId, seq, type(event), eventJson(event)));
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String name : names) {
        out.set(name, sorted(node.get(name)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    return node;
  }
}
