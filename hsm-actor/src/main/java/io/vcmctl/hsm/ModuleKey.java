package io.vcmctl.hsm;

import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The module's identity key (Ed25519), kept owner-only in the HSM's key directory and never in
 * the journal, which records only its public half at first boot.
 */
final class ModuleKey {

  private static final String PRIVATE = "module.key";
  private static final String PUBLIC = "module.pub";

  private ModuleKey() {}

  /** The key of a first boot: the existing files, or a new pair written owner-only. */
  static KeyPair loadOrCreate(Path directory, String esn) {
    try {
      return KeyFiles.readOrCreateKeyPair(directory.resolve(PRIVATE), directory.resolve(PUBLIC));
    } catch (RequestException e) {
      throw new IllegalStateException("module key of HSM " + esn + ": " + e.getMessage(), e);
    }
  }

  /**
   * The key the HSM was born with, or empty (with the reason logged) when the key files are
   * missing, unreadable or hold another key: the HSM still runs, but no tenant configuration
   * file can be signed until the original key file is restored.
   */
  static Optional<KeyPair> recorded(Path directory, String esn, String recordedPublicKey, Logger log) {
    KeyPair key;
    try {
      key = loadOrCreate(directory, esn);
    } catch (IllegalStateException e) {
      log.error("{}; tenant configuration files cannot be signed until the original key file is restored",
          e.getMessage());
      return Optional.empty();
    }
    if (!PublicKeys.encode(key.getPublic()).equals(recordedPublicKey)) {
      log.error("the module key in {} is not the one HSM {} was born with; tenant configuration files cannot be"
          + " signed until the original key file is restored", directory, esn);
      return Optional.empty();
    }
    return Optional.of(key);
  }
}
