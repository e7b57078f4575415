package io.vcmctl.hsm;

import io.vcmctl.vcm.request.PublicKeys;
import java.nio.file.Path;
import java.security.KeyPair;

/** The module key of an HSM, for signing an audit export's closing checkpoint in the host process. */
public final class ModuleSigner {

  private final KeyPair key;

  private ModuleSigner(KeyPair key) {
    this.key = key;
  }

  /**
   * The key the HSM was born with ({@code recordedPublicKey}, from its first event).
   *
   * @throws IllegalStateException when the key files are missing, unreadable or hold another key
   */
  public static ModuleSigner of(Path keyDirectory, String esn, String recordedPublicKey) {
    KeyPair key = ModuleKey.loadOrCreate(keyDirectory, esn);
    if (!PublicKeys.encode(key.getPublic()).equals(recordedPublicKey)) {
      throw new IllegalStateException("the module key in " + keyDirectory + " is not the one HSM " + esn
          + " was born with; restore the original key file to sign the audit trail");
    }
    return new ModuleSigner(key);
  }

  public byte[] sign(byte[] data) {
    return PublicKeys.sign(key.getPrivate(), data);
  }
}
