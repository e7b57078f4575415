package io.vcmctl.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BinaryTest {

  private static final long SEED = System.nanoTime();

  private static String seeded(String what) {
    return what + " (seed " + SEED + ")";
  }

  @Test
  void everyKindOfFieldReadsBackAsWritten() {
    Random random = new Random(SEED);
    for (int i = 0; i < 2_000; i++) {
      long unsigned = random.nextLong() & Long.MAX_VALUE >>> random.nextInt(63);
      long signed = random.nextLong() >> random.nextInt(64);
      UUID uuid = new UUID(random.nextLong(), random.nextLong());
      Instant at = Instant.ofEpochSecond(random.nextInt() & Integer.MAX_VALUE, random.nextInt(1_000_000_000));
      byte[] bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      String text = random.ints(random.nextInt(40), 0x20, 0x3000).collect(StringBuilder::new,
          StringBuilder::appendCodePoint, StringBuilder::append).toString();
      byte[] written = new Binary.Writer().unsigned(unsigned).signed(signed).uuid(uuid).instant(at).bytes(bytes)
          .text(text).text(null).bytes(null).instant(null).bool(i % 2 == 0).constant(Thread.State.BLOCKED)
          .toByteArray();
      Binary.Reader in = new Binary.Reader(written);
      assertEquals(unsigned, in.unsigned(), seeded("unsigned"));
      assertEquals(signed, in.signed(), seeded("signed"));
      assertEquals(uuid, in.uuid(), seeded("uuid"));
      assertEquals(at, in.instant(), seeded("instant"));
      assertArrayEquals(bytes, in.bytes(), seeded("bytes"));
      assertEquals(text, in.text(), seeded("text"));
      assertNull(in.text(), seeded("null text"));
      assertNull(in.bytes(), seeded("null bytes"));
      assertNull(in.instant(), seeded("null instant"));
      assertEquals(i % 2 == 0, in.bool(), seeded("bool"));
      assertEquals(Thread.State.BLOCKED, in.constant(Thread.State.class), seeded("constant"));
      in.end();
    }
  }

  @Test
  void aCutEntryIsRefusedAtEveryLengthNeverReadAsSomethingElse() {
    byte[] whole = new Binary.Writer().unsigned(300).uuid(UUID.randomUUID()).text("a longer text field")
        .instant(Instant.now()).bytes(new byte[40]).toByteArray();
    for (int cut = 0; cut < whole.length; cut++) {
      Binary.Reader in = new Binary.Reader(Arrays.copyOf(whole, cut));
      assertThrows(IllegalArgumentException.class, () -> {
        in.unsigned();
        in.uuid();
        in.text();
        in.instant();
        in.bytes();
      }, "cut at " + cut);
    }
  }

  @Test
  void lengthsBeyondTheEntryNumbersTooLongAndTrailingBytesAreRefused() {
    byte[] hugeLength = new Binary.Writer().unsigned(Integer.MAX_VALUE).toByteArray();
    assertThrows(IllegalArgumentException.class, () -> new Binary.Reader(hugeLength).text());
    byte[] elevenBytes = new byte[11];
    Arrays.fill(elevenBytes, (byte) 0xFF);
    assertThrows(IllegalArgumentException.class, () -> new Binary.Reader(elevenBytes).unsigned());
    assertThrows(IllegalArgumentException.class, () -> new Binary.Reader(new byte[] {2}).bool());
    assertThrows(IllegalArgumentException.class, () -> new Binary.Reader(new byte[] {5}).count(4));
    Binary.Reader trailing = new Binary.Reader(new byte[] {1, 0});
    trailing.unsigned();
    assertThrows(IllegalArgumentException.class, trailing::end);
    assertThrows(IllegalArgumentException.class, () -> new Binary.Writer().unsigned(-1));
    for (String notAState : new String[] {"SLEEPING", "BLOCK", "BLOCKEDX", "blocked", ""}) {
      byte[] written = new Binary.Writer().text(notAState).toByteArray();
      assertThrows(IllegalArgumentException.class, () -> new Binary.Reader(written).constant(Thread.State.class),
          notAState);
    }
  }
}
