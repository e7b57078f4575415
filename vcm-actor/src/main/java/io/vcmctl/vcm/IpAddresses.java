package io.vcmctl.vcm;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address literals, parsed without ever touching DNS. */
public final class IpAddresses {

  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private IpAddresses() {}

  /**
   * Parses an IPv4 or IPv6 literal. Only strings that are already literals reach
   * {@link InetAddress#getByName}, which then never resolves a name.
   *
   * @throws IllegalArgumentException when the text is not an address literal
   */
  public static InetAddress parse(String text) {
    String s = text == null ? "" : text;
    boolean v4 = IPV4.matcher(s).matches();
    boolean v6 = !v4 && s.indexOf(':') >= 0 && IPV6.matcher(s).matches();
    if (v4 || v6) {
      try {
        InetAddress address = InetAddress.getByName(s);
        if ((v4 && address instanceof Inet4Address) || (v6 && address instanceof Inet6Address)
            || (v6 && address instanceof Inet4Address)) {
          return address;
        }
      } catch (UnknownHostException e) {
        // falls through to the refusal below
      }
    }
    throw new IllegalArgumentException(SafeText.quote(s) + " is not an IPv4 or IPv6 address");
  }

  /** The address in its normal textual form ({@code 2001:db8::1}, not {@code 2001:0db8:0:0::1}). */
  public static String canonical(String text) {
    return format(parse(text));
  }

  public static String format(InetAddress address) {
    if (address instanceof Inet6Address) {
      return compressIpv6(address.getAddress());
    }
    return address.getHostAddress();
  }

  private static String compressIpv6(byte[] bytes) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }
}
