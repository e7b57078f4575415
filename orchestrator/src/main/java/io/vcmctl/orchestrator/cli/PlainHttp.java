package io.vcmctl.orchestrator.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange with the daemon over a plain socket, for {@code http://} addresses.
 *
 * <p>The first {@code java.net.URL} a JVM makes for {@code http} looks for stream handler
 * providers in every jar of the class path, opening each of the orchestrator's ~80 jars: that
 * search alone took a command line about as long as the rest of its start. A command makes one
 * or two calls to its own daemon, so this sends the request with {@code Connection: close} and
 * reads the answer by its {@code Content-Length}, in chunks, or to the end. Redirects are answers,
 * never followed. {@code https://} keeps the JDK's client (certificates, host names).
 */
final class PlainHttp {

  /** The status and the whole body of an answer. */
  record Answer(int status, byte[] body) {}

  /** Not an HTTP answer at all (such as a TLS server's alert, or nothing before the close). */
  static final class NotHttp extends IOException {
    NotHttp(String message) {
      super(message);
    }
  }

  private static final int MAX_HEAD_LINE = 16 * 1024;
  private static final int MAX_HEAD_LINES = 200;

  private PlainHttp() {}

  /**
   * Sends {@code method target} to the host and port of {@code base} (an {@code http://} address
   * as {@link Options#address} takes it), where {@code target} is appended to the base's path.
   */
  static Answer exchange(String base, String method, String target, Map<String, String> headers, byte[] body,
      int connectTimeoutMs, int readTimeoutMs) throws IOException {
    URI uri;
    try {
      uri = new URI(base);
    } catch (URISyntaxException e) {
      throw new IOException("not an address: " + base, e);
    }
    String host = uri.getHost();
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    String path = (uri.getRawPath() == null ? "" : uri.getRawPath()) + target;
    // A bracketed IPv6 literal in the address is a bare one for the socket.
    String socketHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress(socketHost, port), connectTimeoutMs);
      } catch (SocketTimeoutException e) {
        throw new ConnectException("no connection within " + connectTimeoutMs + " ms");
      }
      socket.setSoTimeout(readTimeoutMs);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      // Host names the server alone: a user:password@ in the address never goes on the wire.
      String authority = uri.getPort() < 0 ? host : host + ":" + uri.getPort();
      out.write(head(method, path, authority, headers, body).getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    }
  }

  private static String head(String method, String path, String authority, Map<String, String> headers,
      byte[] body) {
    StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(authority).append("\r\n")
        .append("Connection: close\r\n");
    for (Map.Entry<String, String> header : headers.entrySet()) {
      head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    return head.append("\r\n").toString();
  }

  private static Answer read(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new NotHttp("the connection closed without an answer");
    }
    // HTTP/1.1 200 OK
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
      throw new NotHttp("not an HTTP answer");
    }
    int status;
    try {
      status = Integer.parseInt(statusLine.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new NotHttp("not an HTTP answer");
    }
    long length = -1;
    boolean chunked = false;
    for (int lines = 0; ; lines++) {
      String line = line(in);
      if (line == null || lines > MAX_HEAD_LINES) {
        throw new NotHttp("the answer's headers were cut off");
      }
      if (line.isEmpty()) {
        break;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      if (name.equals("content-length")) {
        try {
          length = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new NotHttp("the answer's Content-Length is not a number");
        }
      } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    if (status / 100 == 1) {
      // An interim answer (we never ask for one): the real one follows.
      return read(in);
    }
    if (chunked) {
      return new Answer(status, chunks(in));
    }
    if (length > Integer.MAX_VALUE - 8) {
      throw new IOException("the answer is too large (" + length + " bytes)");
    }
    return new Answer(status, length >= 0 ? exactly(in, (int) length) : in.readAllBytes());
  }

  private static byte[] exactly(InputStream in, int length) throws IOException {
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException("the answer was cut off after " + body.length + " of " + length + " bytes");
    }
    return body;
  }

  private static byte[] chunks(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      if (size == null) {
        throw new EOFException("the answer was cut off");
      }
      int semicolon = size.indexOf(';');
      int length;
      try {
        length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
      } catch (NumberFormatException e) {
        throw new NotHttp("the answer's chunks are malformed");
      }
      if (length < 0 || body.size() > Integer.MAX_VALUE - 8 - length) {
        throw new IOException("the answer is too large");
      }
      if (length == 0) {
        // Trailers (none matters here), up to the empty line.
        String trailer;
        do {
          trailer = line(in);
        } while (trailer != null && !trailer.isEmpty());
        return body.toByteArray();
      }
      body.write(exactly(in, length));
      line(in);
    }
  }

  /** A line without its CRLF, or null at the end of the stream before any byte. */
  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b = in.read();
    if (b < 0) {
      return null;
    }
    while (b >= 0 && b != '\n') {
      if (line.length() >= MAX_HEAD_LINE) {
        throw new NotHttp("the answer's head is too long");
      }
      line.append((char) b);
      b = in.read();
    }
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      line.setLength(end - 1);
    }
    return line.toString();
  }
}
