package io.vcmctl.bench;

import io.vcmctl.persistence.Binary;
import java.io.NotSerializableException;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The bare counter's event in binary, as the product stores its VCM events: a second yardstick
 * for section 3, showing how much of a restart is the framework once neither side pays for
 * Jackson's self-describing form.
 */
public final class CounterSerializer extends SerializerWithStringManifest {

  /** Bare's configuration for counters whose events are stored by this serializer. */
  static final String BINDING = "pekko.actor.serializers.bench-counter = \"" + CounterSerializer.class.getName()
      + "\"\npekko.actor.serialization-bindings.\"" + Counter.Incremented.class.getName() + "\" = bench-counter\n";

  @Override
  public int identifier() {
    return 8_750_100;
  }

  @Override
  public String manifest(Object o) {
    return "I";
  }

  @Override
  public byte[] toBinary(Object o) {
    return new Binary.Writer().signed(((Counter.Incremented) o).by()).toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      Binary.Reader in = new Binary.Reader(bytes);
      Counter.Incremented event = new Counter.Incremented(in.signed());
      in.end();
      return event;
    } catch (IllegalArgumentException e) {
      throw new NotSerializableException("a damaged counter event: " + e.getMessage());
    }
  }
}
