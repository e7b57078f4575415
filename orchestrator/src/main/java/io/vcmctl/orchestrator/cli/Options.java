package io.vcmctl.orchestrator.cli;

import io.vcmctl.orchestrator.tls.PemCertificates;
import io.vcmctl.vcm.request.BoundedFiles;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.RequestException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options the client commands share, as picocli mixins. */
final class Options {

  private Options() {}

  /** Where the daemon answers: {@code --url} or {@code ORCHESTRATOR_URL}, and the CA an https:// one is checked with. */
  static final class Url {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:ORCHESTRATOR_URL:-http://127.0.0.1:8750}",
        converter = UrlConverter.class,
        description = "The orchestrator's address (env ORCHESTRATOR_URL; default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--cacert", paramLabel = "FILE",
        description = "For an https:// URL: the PEM CA certificate(s) to trust, instead of the system's"
            + " (env ORCHESTRATOR_CACERT).")
    Path cacert;

    /** The TLS context of an https:// URL; {@code null} for http:// or the JDK's default trust. */
    SSLContext tls() {
      if (!url.startsWith("https://")) {
        return null;
      }
      String fromEnv = System.getenv("ORCHESTRATOR_CACERT");
      Path file = cacert != null ? cacert : fromEnv == null || fromEnv.isEmpty() ? null : Path.of(fromEnv);
      if (file == null) {
        return null;
      }
      try {
        return PemCertificates.trusting(file, cacert != null ? "--cacert" : "ORCHESTRATOR_CACERT");
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage(), e);
      }
    }

    /** How a TLS failure is explained: which CA was trusted. */
    String trusted() {
      String fromEnv = System.getenv("ORCHESTRATOR_CACERT");
      return cacert != null ? "--cacert " + cacert
          : fromEnv != null && !fromEnv.isEmpty() ? "ORCHESTRATOR_CACERT " + fromEnv : "the system's CAs";
    }
  }

  /** An http(s) address without query, trailing slashes dropped so that paths can be appended. */
  static final class UrlConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String address = address(value);
      if (address == null) {
        throw new TypeConversionException("'" + value.strip() + "' is not an address such as"
            + " http://127.0.0.1:8750 (from --url or ORCHESTRATOR_URL)");
      }
      return address;
    }
  }

  /**
   * The address {@link UrlConverter} takes from this text, or null; plain, so that the everyday
   * path needs no picocli class.
   */
  static String address(String value) {
    String text = value.strip();
    try {
      URI uri = new URI(text);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
          && uri.getQuery() == null && uri.getFragment() == null) {
        return text.replaceAll("/+$", "");
      }
    } catch (URISyntaxException e) {
      // Not an address: the caller says so in its own way.
    }
    return null;
  }

  /**
   * A provider's connection: the daemon's address and an operator's token, taken from the first
   * of {@code ORCHESTRATOR_TOKEN}, {@code --token-file} / {@code ORCHESTRATOR_TOKEN_FILE}, and
   * {@code admin.token} in {@code --data-dir} / {@code ORCHESTRATOR_DATA_DIR} / {@code ./data}.
   */
  static final class Provider {
    // A token is 64 hex digits; a file much larger is something else.
    private static final int MAX_TOKEN_FILE_BYTES = 4096;
    private static final String HOW = "start the orchestrator with bin/orchestrator serve (it writes DATA/admin.token),"
        + " or set ORCHESTRATOR_TOKEN, --token-file (ORCHESTRATOR_TOKEN_FILE) or --data-dir (ORCHESTRATOR_DATA_DIR)";

    @Mixin
    Url url;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "A token file: DATA/admin.token or one that operator add wrote"
            + " (env ORCHESTRATOR_TOKEN_FILE; the token itself may be in env ORCHESTRATOR_TOKEN).")
    Path tokenFile;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "The daemon's data directory, whose admin.token is used when no token (file) is named"
            + " (env ORCHESTRATOR_DATA_DIR; default: ./data).")
    Path dataDir;

    Api api() {
      return Api.provider(url, token());
    }

    private String token() {
      String direct = env("ORCHESTRATOR_TOKEN");
      if (direct != null) {
        if (!tokenText(direct.strip())) {
          throw new CliException("ORCHESTRATOR_TOKEN is not a token (it holds spaces or unprintable characters);"
              + " set it to the content of a token file");
        }
        return direct.strip();
      }
      List<String> looked = new ArrayList<>(List.of("ORCHESTRATOR_TOKEN (not set)"));
      Path file;
      String from;
      if (tokenFile != null || env("ORCHESTRATOR_TOKEN_FILE") != null) {
        from = tokenFile != null ? "--token-file" : "ORCHESTRATOR_TOKEN_FILE";
        file = tokenFile != null ? tokenFile : Path.of(env("ORCHESTRATOR_TOKEN_FILE"));
      } else {
        looked.add("--token-file and ORCHESTRATOR_TOKEN_FILE (not set)");
        if (dataDir != null || env("ORCHESTRATOR_DATA_DIR") != null) {
          from = dataDir != null ? "--data-dir" : "ORCHESTRATOR_DATA_DIR";
          file = (dataDir != null ? dataDir : Path.of(env("ORCHESTRATOR_DATA_DIR"))).resolve("admin.token");
        } else {
          looked.add("--data-dir and ORCHESTRATOR_DATA_DIR (not set)");
          from = "the default data directory ./data";
          file = Path.of("./data/admin.token");
        }
      }
      return read(file, from, String.join(", ", looked));
    }

    /** Printable ASCII without spaces (a loop, not a lambda: this runs in every command line). */
    private static boolean tokenText(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c <= ' ' || c > '~') {
          return false;
        }
      }
      return true;
    }

    private static String read(Path file, String from, String looked) {
      String where = file + " (from " + from + ")";
      try {
        if (Files.isDirectory(file)) {
          throw new CliException(where + " is a directory, not a token file; " + HOW);
        }
        String token = new String(BoundedFiles.read(file, MAX_TOKEN_FILE_BYTES), StandardCharsets.UTF_8).strip();
        if (token.isEmpty() || !tokenText(token)) {
          throw new CliException(where + " is not a token file; " + HOW);
        }
        return token;
      } catch (BoundedFiles.TooLarge e) {
        throw new CliException(where + " is not a token file (it holds more than " + e.limit() + " bytes); " + HOW, e);
      } catch (NoSuchFileException e) {
        throw new CliException("no token: looked at " + looked + ", then " + file.toAbsolutePath().normalize()
            + " (from " + from + "): no such file; " + HOW, e);
      } catch (AccessDeniedException e) {
        throw new CliException("cannot read the token file " + where
            + ": permission denied (it is owner-only; run as the user it belongs to)", e);
      } catch (IOException e) {
        throw new CliException("cannot read the token file " + where + ": " + e.getMessage(), e);
      }
    }

    /** An environment variable; an empty one counts as not set. */
    private static String env(String name) {
      String value = System.getenv(name);
      return value == null || value.isEmpty() ? null : value;
    }
  }

  /** The HSM a command is for: {@code --esn}, needed only when the daemon runs several. */
  static final class Esn {
    @Option(names = "--esn", paramLabel = "ESN",
        description = "The HSM, when the orchestrator runs more than one.")
    String esn;
  }

  /** {@code --json}: print the API's JSON object instead of text. */
  static final class Json {
    @Option(names = "--json", description = "Print JSON (snake_case keys, the HTTP API's shape) instead of text.")
    boolean json;
  }

  /** The tenant's key directory: {@code --tenant-dir} or {@code VCM_TENANT_DIR}. */
  static final class TenantDir {
    static final String SSHADMIN = "sshadmin";
    static final String REQUEST = "request";

    @Option(names = "--tenant-dir", paramLabel = "DIR", defaultValue = "${env:VCM_TENANT_DIR:-./tenant}",
        description = "The tenant's keys (env VCM_TENANT_DIR; default: ${DEFAULT-VALUE}).")
    Path dir;

    /** Whether the directory holds no key pair of that name yet. */
    boolean lacks(String name) {
      return !Files.exists(dir.resolve(name + ".key")) && !Files.exists(dir.resolve(name + ".pub"));
    }

    /** The key pair, made (owner-only) if the directory has none of that name. */
    KeyPair readOrCreate(String name) {
      try {
        createOwnerOnly(dir);
        return KeyFiles.readOrCreateKeyPair(dir.resolve(name + ".key"), dir.resolve(name + ".pub"));
      } catch (RequestException e) {
        throw new CliException(e.getMessage(), e);
      }
    }

    /** The tenant's private keys live here: only the owner may list or read it. */
    private static void createOwnerOnly(Path dir) {
      if (Files.isDirectory(dir)) {
        return;
      }
      try {
        Files.createDirectories(dir);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
      } catch (IOException e) {
        throw new CliException("cannot create the tenant directory " + dir + ": " + e.getMessage(), e);
      }
    }

    /** The key pair that {@code hsmadmin vcm create} made; an error if there is none. */
    KeyPair existing(String name) {
      requirePresent(name);
      return readOrCreate(name);
    }

    /** The same pair as {@link #existing}, read the cheapest way for signing calls. */
    CallKey callKey(String name) {
      requirePresent(name);
      CallKey jdk = CallKey.jdk(dir.resolve(name + ".key"), dir.resolve(name + ".pub"));
      return jdk != null ? jdk : CallKey.of(readOrCreate(name));
    }

    private void requirePresent(String name) {
      if (lacks(name)) {
        throw new CliException("no " + name + " key in " + dir + " (" + name + ".key); the tenant's keys are made by"
            + " hsmadmin vcm create: use the same --tenant-dir (or VCM_TENANT_DIR) as then");
      }
    }
  }

  /** A tenant's connection: the daemon's address and the sshadmin key that signs each call. */
  static final class Tenant {
    @Mixin
    Url url;

    @Mixin
    TenantDir keys;

    Api api() {
      return Api.tenant(url, keys.callKey(TenantDir.SSHADMIN));
    }
  }
}
