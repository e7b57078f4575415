package io.vcmctl.vcm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Alters a signed file's payload after signing, as an attacker would. */
public final class Tampering {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Tampering() {}

  public static byte[] replaceInPayload(byte[] file, String from, String to) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(file);
    String payload = new String(Base64.getDecoder().decode(root.get("payload").asText()), StandardCharsets.UTF_8);
    if (!payload.contains(from)) {
      throw new IllegalArgumentException("payload does not contain " + from + ": " + payload);
    }
    root.put("payload", Base64.getEncoder().encodeToString(payload.replace(from, to).getBytes(StandardCharsets.UTF_8)));
    return JSON.writeValueAsBytes(root);
  }
}
