package io.vcmctl.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.persistence.testing.TestConfigs;
import java.io.NotSerializableException;
import java.time.Instant;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ChainedEventSerializerTest {

  /** An entity's event with no binary form of its own: it goes inside through Jackson. */
  record Noted(String text, Instant at) implements CborSerializable {}

  private static final ActorTestKit KIT = ActorTestKit.create(TestConfigs.inMemory());
  private static final Serialization SERIALIZATION = SerializationExtension.get(KIT.system());

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static final String HASH = "0123456789abcdef".repeat(4);

  @Test
  void aChainedEventIsStoredInBinaryAndReadsBackEqualWithItsEventThroughItsOwnSerializer() throws Exception {
    Noted event = new Noted("vcm started", Instant.ofEpochSecond(1_800_000_000L, 123_456_789));
    for (ChainedEvent chained : new ChainedEvent[] {
        new ChainedEvent(event, 7, HASH, 0, null),
        new ChainedEvent(event, 100, HASH, 42, new byte[] {1, 2, 3, 4})}) {
      Serializer serializer = SERIALIZATION.findSerializerFor(chained);
      assertInstanceOf(ChainedEventSerializer.class, serializer);
      byte[] bytes = serializer.toBinary(chained);
      ChainedEvent back = (ChainedEvent) SERIALIZATION.deserialize(bytes, serializer.identifier(), "C1").get();
      assertEquals(chained.event(), back.event());
      assertEquals(chained.seq(), back.seq());
      assertEquals(HASH, back.hash());
      assertEquals(chained.migratedThrough(), back.migratedThrough());
      if (chained.checkpoint() == null) {
        assertNull(back.checkpoint());
      } else {
        assertArrayEquals(chained.checkpoint(), back.checkpoint());
      }
    }
  }

  @Test
  void anEntryStoredByJacksonBeforeStillReads() throws Exception {
    ChainedEvent chained = new ChainedEvent(new Noted("old", Instant.EPOCH), 3, HASH, 0, null);
    Serializer jackson = SERIALIZATION.serializerFor(CborSerializable.class);
    assertInstanceOf(JacksonCborSerializer.class, jackson);
    byte[] old = jackson.toBinary(chained);
    Object back = SERIALIZATION.deserialize(old, jackson.identifier(), ChainedEvent.class.getName()).get();
    assertEquals(chained.event(), ((ChainedEvent) back).event());
    assertEquals(HASH, ((ChainedEvent) back).hash());
  }

  @Test
  void aDamagedEntryIsRefusedNeverReadAsAnotherEvent() {
    ChainedEventSerializer serializer = (ChainedEventSerializer) SERIALIZATION.findSerializerFor(
        new ChainedEvent(new Noted("x", Instant.EPOCH), 1, HASH, 0, null));
    byte[] whole = serializer.toBinary(new ChainedEvent(new Noted("x", Instant.EPOCH), 1, HASH, 0, new byte[8]));
    // Cut anywhere before the inner event's bytes: the chain's own fields cannot be read.
    for (int cut = 0; cut < 40; cut++) {
      byte[] part = Arrays.copyOf(whole, cut);
      assertThrows(NotSerializableException.class, () -> serializer.fromBinary(part, "C1"), "cut at " + cut);
    }
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(whole, "C9"));
    assertThrows(IllegalArgumentException.class,
        () -> serializer.toBinary(new ChainedEvent(new Noted("x", Instant.EPOCH), 1, "abcd", 0, null)));
  }
}
