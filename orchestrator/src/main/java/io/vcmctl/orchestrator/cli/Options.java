package io.vcmctl.orchestrator.cli;

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
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options the client commands share, as picocli mixins. */
final class Options {

  private Options() {}

  /** Where the daemon answers: {@code --url} or {@code ORCHESTRATOR_URL}. */
  static final class Url {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:ORCHESTRATOR_URL:-http://127.0.0.1:8750}",
        converter = UrlConverter.class,
        description = "The orchestrator's address (env ORCHESTRATOR_URL; default: ${DEFAULT-VALUE}).")
    String url;
  }

  /** An http(s) address without query, trailing slashes dropped so that paths can be appended. */
  static final class UrlConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String text = value.strip();
      try {
        URI uri = new URI(text);
        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
            && uri.getQuery() == null && uri.getFragment() == null) {
          return text.replaceAll("/+$", "");
        }
      } catch (URISyntaxException e) {
        // Falls through to the one message for every bad address.
      }
      throw new TypeConversionException("'" + text + "' is not an address such as http://127.0.0.1:8750"
          + " (from --url or ORCHESTRATOR_URL)");
    }
  }

  /** A provider's connection: the daemon's address and its admin token. */
  static final class Provider {
    // A token is 64 hex digits; a file much larger is something else.
    private static final int MAX_TOKEN_FILE_BYTES = 4096;

    @Mixin
    Url url;

    @Option(names = "--token-file", paramLabel = "FILE",
        defaultValue = "${env:ORCHESTRATOR_TOKEN_FILE:-./data/admin.token}",
        description = "The admin token the orchestrator wrote"
            + " (env ORCHESTRATOR_TOKEN_FILE; default: ${DEFAULT-VALUE}).")
    Path tokenFile;

    Api api() {
      return Api.provider(url.url, token());
    }

    private String token() {
      String how = "start the orchestrator with bin/orchestrator serve (it writes DATA/admin.token),"
          + " or point --token-file or ORCHESTRATOR_TOKEN_FILE at that file";
      try {
        if (Files.isDirectory(tokenFile)) {
          throw new CliException(tokenFile + " is a directory, not the admin token; " + how);
        }
        String token = new String(BoundedFiles.read(tokenFile, MAX_TOKEN_FILE_BYTES), StandardCharsets.UTF_8)
            .strip();
        if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
          throw new CliException(tokenFile + " is not an admin token; " + how);
        }
        return token;
      } catch (BoundedFiles.TooLarge e) {
        throw new CliException(tokenFile + " is not an admin token (it holds more than " + e.limit() + " bytes); "
            + how, e);
      } catch (NoSuchFileException e) {
        throw new CliException("no admin token at " + tokenFile + ": " + how, e);
      } catch (AccessDeniedException e) {
        throw new CliException("cannot read the admin token " + tokenFile
            + ": permission denied (it is owner-only; run as the user who started the orchestrator)", e);
      } catch (IOException e) {
        throw new CliException("cannot read the admin token " + tokenFile + ": " + e.getMessage(), e);
      }
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
      return CallKey.read(dir.resolve(name + ".key"), dir.resolve(name + ".pub"), () -> readOrCreate(name));
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
      return Api.tenant(url.url, keys.callKey(TenantDir.SSHADMIN));
    }
  }
}
