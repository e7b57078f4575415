package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;
import io.vcmctl.vcm.IpAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The VCM networking of an HSM: exactly one of an IPv4 CIDR, an IPv6 prefix or IPv6
 * link-local ({@code fe80::/64}), common to all its VCMs.
 */
public record Network(Kind kind, String prefix, int length) implements CborSerializable {

  public enum Kind {
    IPV4, IPV6, IPV6_LINK_LOCAL;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private static final String LINK_LOCAL = "fe80::";

  public Network {
    if (length < 0 || length > (kind == Kind.IPV4 ? 32 : 128)) {
      throw new IllegalArgumentException("prefix length " + length + " is out of range");
    }
  }

  public static Network ipv4(String cidr) {
    Network n = parse(Kind.IPV4, cidr);
    if (n.length > 30) {
      throw new IllegalArgumentException("an IPv4 range for VCMs needs at least two usable addresses (/30 or shorter)");
    }
    return n;
  }

  public static Network ipv6(String cidr) {
    Network n = parse(Kind.IPV6, cidr);
    if (n.length > 126) {
      throw new IllegalArgumentException("an IPv6 prefix for VCMs must be /126 or shorter");
    }
    if (n.base().shiftRight(118).intValue() == 0x3fa) {
      throw new IllegalArgumentException("use --ipv6-link-local for link-local addresses");
    }
    return n;
  }

  public static Network ipv6LinkLocal() {
    return new Network(Kind.IPV6_LINK_LOCAL, LINK_LOCAL, 64);
  }

  private static Network parse(Kind kind, String cidr) {
    String text = cidr == null ? "" : cidr.trim();
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not in CIDR form (ADDRESS/LENGTH)");
    }
    InetAddress address = IpAddresses.parse(text.substring(0, slash));
    boolean v4 = address instanceof Inet4Address;
    if (v4 != (kind == Kind.IPV4)) {
      throw new IllegalArgumentException("'" + text + "' is not an " + (kind == Kind.IPV4 ? "IPv4" : "IPv6") + " range");
    }
    int length;
    try {
      length = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
    }
    int bits = v4 ? 32 : 128;
    if (length < 1 || length > bits) {
      throw new IllegalArgumentException("prefix length must be between 1 and " + bits);
    }
    BigInteger base = toInteger(address).and(mask(bits, length));
    return new Network(kind, IpAddresses.format(fromInteger(base, v4)), length);
  }

  private int bits() {
    return kind == Kind.IPV4 ? 32 : 128;
  }

  private BigInteger base() {
    return toInteger(IpAddresses.parse(prefix));
  }

  /** Whether an address lies inside this range (and is of its family). */
  public boolean contains(String ip) {
    InetAddress address;
    try {
      address = IpAddresses.parse(ip);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if ((address instanceof Inet4Address) != (kind == Kind.IPV4)) {
      return false;
    }
    BigInteger value = toInteger(address);
    BigInteger base = base();
    return value.and(mask(bits(), length)).equals(base) && isUsable(value, base);
  }

  /** Not the network address, and for IPv4 not the broadcast address either. */
  private boolean isUsable(BigInteger value, BigInteger base) {
    if (value.equals(base)) {
      return false;
    }
    return kind != Kind.IPV4 || !value.equals(base.add(size()).subtract(BigInteger.ONE));
  }

  private BigInteger size() {
    return BigInteger.ONE.shiftLeft(bits() - length);
  }

  /**
   * The lowest usable address of this range that is not in {@code used} and that {@code alsoIn}
   * (a pending network, if any) contains too. {@code used} holds addresses in their canonical
   * text ({@link IpAddresses#canonical}), the form every VCM property is stored in.
   */
  public Optional<String> firstFree(Set<String> used, Optional<Network> alsoIn) {
    BigInteger base = base();
    BigInteger end = base.add(size());
    BigInteger candidate = base.add(BigInteger.ONE);
    // Addresses are compared in their canonical text, so the used ones need no parsing (that
    // made assignment quadratic); at most |used| + a bounded number of candidates are visited.
    int budget = used.size() + 65_536;
    while (candidate.compareTo(end) < 0 && budget-- > 0) {
      String ip = IpAddresses.format(fromInteger(candidate, kind == Kind.IPV4));
      if (!used.contains(ip) && isUsable(candidate, base) && alsoIn.map(n -> n.contains(ip)).orElse(true)) {
        return Optional.of(ip);
      }
      candidate = candidate.add(BigInteger.ONE);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return kind == Kind.IPV6_LINK_LOCAL ? "ipv6-link-local " + prefix + "/" + length
        : kind.label() + " " + prefix + "/" + length;
  }

  private static BigInteger mask(int bits, int length) {
    return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
        .xor(BigInteger.ONE.shiftLeft(bits - length).subtract(BigInteger.ONE));
  }

  private static BigInteger toInteger(InetAddress address) {
    return new BigInteger(1, address.getAddress());
  }

  private static InetAddress fromInteger(BigInteger value, boolean v4) {
    byte[] raw = value.toByteArray();
    byte[] bytes = new byte[v4 ? 4 : 16];
    int copy = Math.min(raw.length, bytes.length);
    System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
    try {
      return v4 ? Inet4Address.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
