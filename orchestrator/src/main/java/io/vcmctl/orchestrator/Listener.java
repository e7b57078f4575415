package io.vcmctl.orchestrator;

import io.vcmctl.orchestrator.tls.PemFiles;
import io.vcmctl.vcm.IpAddresses;
import io.vcmctl.vcm.SafeText;
import java.net.InetAddress;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * Where and how {@code serve} listens: the address to bind ({@code --bind}; {@code null} for
 * {@code vcmctl.orchestrator.http.interface}, loopback by default), and TLS from a PEM
 * certificate and key. Tokens travel in every provider call, so anything but loopback without
 * TLS is refused unless {@code insecureHttp} says the operator accepts that.
 */
public record Listener(String bind, Path tlsCert, Path tlsKey, boolean insecureHttp) {

  /** The configured interface, plain HTTP: what the daemon always did. */
  public static final Listener CONFIGURED = new Listener(null, null, null, false);

  public boolean tls() {
    return tlsCert != null;
  }

  /**
   * The server's TLS context, or {@code null} for plain HTTP, after checking the whole choice
   * against the address actually bound.
   *
   * @throws IllegalArgumentException one line naming the option and the fix
   */
  SSLContext check(String host) {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key (PEM files);"
          + " orchestrator tls self-signed --out DIR makes a pair for trying it");
    }
    InetAddress address;
    try {
      // An IP literal (or localhost) never waits for DNS at start.
      address = "localhost".equals(host) ? InetAddress.getLoopbackAddress() : IpAddresses.parse(host);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--bind " + SafeText.quote(host) + " is not an IP address; give one of this"
          + " host's, such as 127.0.0.1, ::1 or 0.0.0.0 (all)", e);
    }
    if (!tls() && !address.isLoopbackAddress() && !insecureHttp) {
      throw new IllegalArgumentException("--bind " + host + " without TLS would send operators' tokens in clear over"
          + " the network; give --tls-cert and --tls-key, or --insecure-http to accept that");
    }
    return tls() ? PemFiles.server(tlsCert, tlsKey) : null;
  }
}
