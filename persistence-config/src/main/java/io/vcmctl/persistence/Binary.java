package io.vcmctl.persistence;

import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * The compact form of the journal's most frequent entries: unsigned varints, zigzag varints for
 * signed numbers, length-prefixed UTF-8 and bytes (length + 1, so that 0 is {@code null}).
 * Reading is strict: a truncated or oversized field is an {@link IllegalArgumentException}, never
 * a value made up from the bytes that follow.
 */
public final class Binary {

  private Binary() {}

  /** An enum's constants and their names as UTF-8, looked up once per enum: a restart reads millions. */
  private record Constants(Enum<?>[] values, byte[][] names) {}

  private static final ClassValue<Constants> CONSTANTS = new ClassValue<>() {
    @Override
    protected Constants computeValue(Class<?> type) {
      Enum<?>[] values = (Enum<?>[]) type.getEnumConstants();
      byte[][] names = new byte[values.length][];
      for (int i = 0; i < values.length; i++) {
        names[i] = values[i].name().getBytes(StandardCharsets.UTF_8);
      }
      return new Constants(values, names);
    }
  };

  /**
   * A serializer whose entries can also be written into and read from a larger entry in place
   * (a chained event holds one), without a copy or a second look-up.
   */
  public interface Form {
    void write(Object o, Writer out);

    /** Reads one entry of this manifest, leaving {@code in} after it. */
    Object read(String manifest, Reader in) throws NotSerializableException;
  }

  /** Grows as written; {@link #toByteArray} copies out exactly what was written. */
  public static final class Writer {
    private byte[] buf = new byte[96];
    private int size;

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    /** A number that is never negative, 1 byte per 7 bits. */
    public Writer unsigned(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("a count or length cannot be negative: " + v);
      }
      return varint(v);
    }

    /** Any long: zigzag, so small negative numbers stay small. */
    public Writer signed(long v) {
      return varint((v << 1) ^ (v >> 63));
    }

    private Writer varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
      return this;
    }

    public Writer bool(boolean b) {
      ensure(1);
      buf[size++] = (byte) (b ? 1 : 0);
      return this;
    }

    /** UTF-8, or {@code null}. */
    public Writer text(String s) {
      return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    /** Length-prefixed bytes, or {@code null}. */
    public Writer bytes(byte[] b) {
      if (b == null) {
        return unsigned(0);
      }
      unsigned(b.length + 1L);
      return raw(b);
    }

    /** Bytes as they are; the reader must know how many. */
    public Writer raw(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
      return this;
    }

    public Writer uuid(UUID u) {
      ensure(16);
      long hi = u.getMostSignificantBits();
      long lo = u.getLeastSignificantBits();
      for (int i = 7; i >= 0; i--) {
        buf[size++] = (byte) (hi >>> (8 * i));
      }
      for (int i = 7; i >= 0; i--) {
        buf[size++] = (byte) (lo >>> (8 * i));
      }
      return this;
    }

    /** Seconds and nanoseconds, exact; {@code null} allowed. */
    public Writer instant(Instant t) {
      bool(t != null);
      if (t != null) {
        signed(t.getEpochSecond());
        unsigned(t.getNano());
      }
      return this;
    }

    /** An enum constant by name, so that reordering the constants never changes what was stored. */
    public Writer constant(Enum<?> e) {
      return text(e == null ? null : e.name());
    }

    public byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  /** Reads what a {@link Writer} wrote, in the same order. */
  public static final class Reader {
    private final byte[] buf;
    private int pos;

    public Reader(byte[] buf) {
      this.buf = buf;
    }

    private byte next() {
      if (pos >= buf.length) {
        throw new IllegalArgumentException("truncated entry: " + buf.length + " bytes");
      }
      return buf[pos++];
    }

    public long unsigned() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = next();
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("a number longer than 64 bits");
    }

    public long signed() {
      long z = unsigned();
      return (z >>> 1) ^ -(z & 1);
    }

    /** An unsigned number that must fit an int no larger than {@code max}. */
    public int count(int max) {
      long v = unsigned();
      if (v > max) {
        throw new IllegalArgumentException("a count of " + v + " where at most " + max + " fits");
      }
      return (int) v;
    }

    public boolean bool() {
      byte b = next();
      if (b != 0 && b != 1) {
        throw new IllegalArgumentException("not a boolean: " + b);
      }
      return b == 1;
    }

    public String text() {
      int n = length();
      if (n < 0) {
        return null;
      }
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    public byte[] bytes() {
      int n = length();
      return n < 0 ? null : raw(n);
    }

    /** -1 for {@code null}; else a length that the remaining bytes hold. */
    private int length() {
      int n = count(Integer.MAX_VALUE) - 1;
      if (n > remaining()) {
        throw new IllegalArgumentException("a field of " + n + " bytes where " + remaining() + " remain");
      }
      return n;
    }

    public byte[] raw(int n) {
      if (n > remaining()) {
        throw new IllegalArgumentException("a field of " + n + " bytes where " + remaining() + " remain");
      }
      byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    public UUID uuid() {
      if (remaining() < 16) {
        throw new IllegalArgumentException("truncated UUID");
      }
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < 8; i++) {
        hi = (hi << 8) | (buf[pos++] & 0xFF);
      }
      for (int i = 0; i < 8; i++) {
        lo = (lo << 8) | (buf[pos++] & 0xFF);
      }
      return new UUID(hi, lo);
    }

    public Instant instant() {
      if (!bool()) {
        return null;
      }
      long seconds = signed();
      long nanos = unsigned();
      if (nanos > 999_999_999L) {
        throw new IllegalArgumentException("nanoseconds out of range: " + nanos);
      }
      return Instant.ofEpochSecond(seconds, nanos);
    }

    /** An enum constant stored by {@link Writer#constant}; an unknown name is refused. */
    public <E extends Enum<E>> E constant(Class<E> type) {
      int n = length();
      if (n < 0) {
        return null;
      }
      Constants known = CONSTANTS.get(type);
      for (int i = 0; i < known.names().length; i++) {
        byte[] name = known.names()[i];
        if (Arrays.equals(buf, pos, pos + n, name, 0, name.length)) {
          pos += n;
          return type.cast(known.values()[i]);
        }
      }
      throw new IllegalArgumentException("no " + type.getSimpleName() + " named "
          + new String(buf, pos, n, StandardCharsets.UTF_8));
    }

    public int remaining() {
      return buf.length - pos;
    }

    /** Everything not read yet. */
    public byte[] rest() {
      return raw(remaining());
    }

    /** Refuses trailing bytes: an entry is read whole or not at all. */
    public void end() {
      if (remaining() != 0) {
        throw new IllegalArgumentException(remaining() + " unread bytes at the end of an entry");
      }
    }
  }
}
