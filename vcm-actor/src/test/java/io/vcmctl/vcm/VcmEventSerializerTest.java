package io.vcmctl.vcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.VcmEntity.Event;
import java.io.NotSerializableException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every VCM event goes to the journal in binary and reads back equal, whatever its values;
 * an event stored by Jackson still reads; a damaged entry is refused, never read as another.
 */
class VcmEventSerializerTest {

  private static final long SEED = System.nanoTime();
  private static final ActorTestKit KIT = ActorTestKit.create(TestConfigs.inMemory());
  private static final Serialization SERIALIZATION = SerializationExtension.get(KIT.system());

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** One of each event type, with values drawn from {@code random} (nulls where a field may be null). */
  static List<Event> oneOfEach(Random random) {
    UUID vcm = new UUID(random.nextLong(), random.nextLong());
    Function<Random, EventMeta> meta = r -> new EventMeta(
        Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1 << 30), r.nextInt(1_000_000_000)),
        new Principal(Principal.Kind.values()[r.nextInt(3)], text(r)), r.nextBoolean() ? null : text(r));
    VcmProperties properties = new VcmProperties(random.nextBoolean(), random.nextBoolean(), random.nextBoolean(),
        List.of("StandardFeatures", text(random)), text(random), random.nextBoolean() ? null : "10.0.0.7",
        text(random));
    return List.of(
        new VcmEntity.VcmCreated(vcm, properties, text(random), meta.apply(random)),
        new VcmEntity.VcmStarted(vcm, meta.apply(random)),
        new VcmEntity.VcmStopped(vcm, random.nextBoolean(), meta.apply(random)),
        new VcmEntity.VcmStoppedForReset(vcm, meta.apply(random)),
        new VcmEntity.VcmStoppedForDiskLimit(vcm, random.nextLong(), random.nextLong(), meta.apply(random)),
        new VcmEntity.VcmDeleted(vcm, random.nextBoolean(), meta.apply(random)),
        new VcmEntity.PropertyChanged(vcm, text(random), random.nextBoolean() ? null : text(random), meta.apply(random)),
        new VcmEntity.TenantEnrolled(vcm, text(random), meta.apply(random)),
        new VcmEntity.TenantUnenrolled(vcm, meta.apply(random)),
        new VcmEntity.SecurityWorldLoaded(vcm, meta.apply(random)),
        new VcmEntity.ModeChanged(vcm, TenantFacts.Mode.values()[random.nextInt(2)], meta.apply(random)),
        new VcmEntity.AuditLogEnabled(vcm, meta.apply(random)),
        new VcmEntity.AuditLogFinalized(vcm, meta.apply(random)),
        new VcmEntity.TenantDataWritten(vcm, random.nextLong(), meta.apply(random)),
        new VcmEntity.HardserverRestartAcknowledged(vcm, meta.apply(random)),
        new VcmEntity.VcmSettled(vcm, VcmStatus.values()[random.nextInt(4)], text(random), meta.apply(random)));
  }

  private static String text(Random random) {
    return random.ints(random.nextInt(70), 0x20, 0x2FFF).collect(StringBuilder::new, StringBuilder::appendCodePoint,
        StringBuilder::append).toString();
  }

  private static Object roundTrip(Object event, Serializer serializer) {
    byte[] bytes = serializer.toBinary(event);
    return SERIALIZATION.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, event)).get();
  }

  @Test
  void everyEventTypeReadsBackEqualWhateverItsValues() {
    Random random = new Random(SEED);
    Set<Class<?>> types = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      for (Event event : oneOfEach(random)) {
        Serializer serializer = SERIALIZATION.findSerializerFor(event);
        assertInstanceOf(VcmEventSerializer.class, serializer, event.getClass().getSimpleName());
        assertEquals(event, roundTrip(event, serializer), "seed " + SEED);
        types.add(event.getClass());
      }
    }
    assertEquals(Set.of(VcmEntity.class.getDeclaredClasses()).stream()
        .filter(c -> Event.class.isAssignableFrom(c) && c.isRecord()).count(), types.size(),
        "every VCM event type has a binary form and is covered here");
  }

  @Test
  void aChainedVcmEventIsStoredInlineAndACutAnywhereIsRefused() throws Exception {
    String hash = "00ff".repeat(16);
    for (Event event : oneOfEach(new Random(SEED))) {
      ChainedEvent chained = new ChainedEvent(event, 42, hash, 0, null);
      Serializer serializer = SERIALIZATION.findSerializerFor(chained);
      ChainedEvent back = (ChainedEvent) roundTrip(chained, serializer);
      assertEquals(event, back.event(), "seed " + SEED);
      assertEquals(hash, back.hash());
      byte[] whole = serializer.toBinary(chained);
      for (int cut = 0; cut < whole.length; cut++) {
        byte[] part = Arrays.copyOf(whole, cut);
        assertThrows(NotSerializableException.class,
            () -> ((SerializerWithStringManifest) serializer).fromBinary(part, "C1"),
            event.getClass().getSimpleName() + " cut at " + cut + " (seed " + SEED + ")");
      }
    }
  }

  @Test
  void anEventStoredByJacksonBeforeStillReads() throws Exception {
    Serializer jackson = SERIALIZATION.serializerFor(CborSerializable.class);
    for (Event event : oneOfEach(new Random(SEED))) {
      assertEquals(event, SERIALIZATION.deserialize(jackson.toBinary(event), jackson.identifier(),
          event.getClass().getName()).get(), "seed " + SEED);
    }
  }

  @Test
  void aFleetInTheMiddleOfAnUpgradeCanKeepWritingJacksonAndStillReadsBinary() throws Exception {
    // docs/operations.md: nodes of the new release write the old form until every node reads the new.
    ActorTestKit upgrading = ActorTestKit.create(ConfigFactory.parseString(
        "pekko.actor.serialization-bindings { \"io.vcmctl.vcm.VcmEntity$Event\" = jackson-cbor\n"
            + "\"io.vcmctl.persistence.audit.ChainedEvent\" = jackson-cbor }").withFallback(TestConfigs.inMemory()));
    try {
      Serialization serialization = SerializationExtension.get(upgrading.system());
      for (Event event : oneOfEach(new Random(SEED))) {
        Serializer written = serialization.findSerializerFor(event);
        assertEquals(SERIALIZATION.serializerFor(CborSerializable.class).identifier(), written.identifier(),
            "written as the previous release wrote it");
        Serializer binary = SERIALIZATION.findSerializerFor(event);
        assertEquals(event, serialization.deserialize(binary.toBinary(event), binary.identifier(),
            Serializers.manifestFor(binary, event)).get(), "and binary entries still read");
      }
    } finally {
      upgrading.shutdownTestKit();
    }
  }

  @Test
  void aCutOrLengthenedEntryAnUnknownTypeOrAFutureFormatIsRefused() throws Exception {
    VcmEventSerializer serializer = new VcmEventSerializer();
    Serializer jackson = SERIALIZATION.serializerFor(CborSerializable.class);
    for (Event event : oneOfEach(new Random(SEED))) {
      String manifest = serializer.manifest(event);
      byte[] whole = serializer.toBinary(event);
      assertTrue(whole.length < jackson.toBinary(event).length, manifest + " is smaller than Jackson's form");
      for (int cut = 0; cut < whole.length; cut++) {
        byte[] part = Arrays.copyOf(whole, cut);
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(part, manifest),
            manifest + " cut at " + cut + " (seed " + SEED + ")");
      }
      byte[] longer = Arrays.copyOf(whole, whole.length + 1);
      assertThrows(NotSerializableException.class, () -> serializer.fromBinary(longer, manifest), manifest);
      byte[] future = whole.clone();
      future[0] = 2;
      assertThrows(NotSerializableException.class, () -> serializer.fromBinary(future, manifest), manifest);
    }
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(serializer.toBinary(oneOfEach(new Random(SEED)).get(1)), "VcmRenamed"));
  }
}
