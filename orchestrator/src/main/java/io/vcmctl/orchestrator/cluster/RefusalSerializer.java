package io.vcmctl.orchestrator.cluster;

import io.vcmctl.vcm.Refusal;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * A {@link Refusal} crossing nodes inside a {@code StatusReply}: its code and its one line, so
 * that a client of any node gets the same answer as one of the node that runs the HSM. Pekko
 * would otherwise need the exception to be Java-serializable, which the product never allows.
 */
public final class RefusalSerializer extends SerializerWithStringManifest {

  private static final String MANIFEST = "R";

  @Override
  public int identifier() {
    return 8_750_001;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST;
  }

  @Override
  public byte[] toBinary(Object o) {
    Refusal refusal = (Refusal) o;
    return (refusal.code().name() + "\n" + refusal.getMessage()).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest)) {
      throw new NotSerializableException("unknown manifest " + manifest + " for a refusal");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    if (newline < 0) {
      throw new NotSerializableException("a refusal without its code");
    }
    Refusal.Code code;
    try {
      code = Refusal.Code.valueOf(text.substring(0, newline));
    } catch (IllegalArgumentException e) {
      // A node of a newer version may know codes this one does not: the line still tells why.
      code = Refusal.Code.UNAVAILABLE;
    }
    return new Refusal(code, text.substring(newline + 1));
  }
}
