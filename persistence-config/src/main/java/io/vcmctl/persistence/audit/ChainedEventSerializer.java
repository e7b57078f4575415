package io.vcmctl.persistence.audit;

import io.vcmctl.persistence.Binary;
import io.vcmctl.persistence.CborSerializable;
import java.io.NotSerializableException;
import java.util.HexFormat;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.Serializers;

/**
 * A {@link ChainedEvent} as the journal stores it: the chain's fields in binary (the hash as its
 * 32 bytes), then the entity's event through whichever serializer is bound to it. Every VCM
 * event is stored this way and read back at each restart, so its form decides how fast an HSM
 * recovers (docs/benchmarks.md). Entries written before this serializer existed carry the
 * Jackson serializer's id and are still read by it.
 */
public final class ChainedEventSerializer extends SerializerWithStringManifest {

  private static final String MANIFEST = "C1";
  private static final int HASH_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final ExtendedActorSystem system;
  private volatile Serialization serialization;
  private volatile Serializer lastInner;

  public ChainedEventSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return 8_750_002;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST;
  }

  // Looked up on first use: the extension is not ready while the serializers are being made.
  private Serialization serialization() {
    Serialization s = serialization;
    if (s == null) {
      s = SerializationExtension.get(system);
      serialization = s;
    }
    return s;
  }

  // The serializer of the last entry read: a journal's entries mostly share one.
  private Serializer inner(int id) {
    Serializer last = lastInner;
    if (last == null || last.identifier() != id) {
      last = serialization().serializerByIdentity().get(id).getOrElse(() -> null);
      lastInner = last;
    }
    return last;
  }

  @Override
  public byte[] toBinary(Object o) {
    ChainedEvent c = (ChainedEvent) o;
    byte[] hash = HEX.parseHex(c.hash());
    if (hash.length != HASH_BYTES) {
      throw new IllegalArgumentException("a chain hash of " + hash.length + " bytes, not " + HASH_BYTES);
    }
    Serializer inner = serialization().findSerializerFor(c.event());
    Binary.Writer out = new Binary.Writer()
        .unsigned(c.seq())
        .raw(hash)
        .unsigned(c.migratedThrough())
        .bytes(c.checkpoint())
        .signed(inner.identifier())
        .text(Serializers.manifestFor(inner, c.event()));
    if (inner instanceof Binary.Form form) {
      form.write(c.event(), out);
    } else {
      out.raw(inner.toBinary(c.event()));
    }
    return out.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest)) {
      throw new NotSerializableException("unknown manifest " + manifest + " for a chained event");
    }
    try {
      Binary.Reader in = new Binary.Reader(bytes);
      long seq = in.unsigned();
      String hash = HEX.formatHex(in.raw(HASH_BYTES));
      long migratedThrough = in.unsigned();
      byte[] checkpoint = in.bytes();
      int serializerId = Math.toIntExact(in.signed());
      String innerManifest = in.text();
      Object event;
      if (inner(serializerId) instanceof Binary.Form form) {
        event = form.read(innerManifest, in);
        in.end();
      } else {
        event = serialization().deserialize(in.rest(), serializerId, innerManifest).get();
      }
      if (!(event instanceof CborSerializable e)) {
        throw new NotSerializableException("a chained entry holds a " + event.getClass().getName());
      }
      return new ChainedEvent(e, seq, hash, migratedThrough, checkpoint);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new NotSerializableException("a damaged chained entry: " + e.getMessage());
    }
  }
}
