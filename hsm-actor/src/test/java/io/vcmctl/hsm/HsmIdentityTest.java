package io.vcmctl.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.vcm.TestTenant;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.PublicKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;

/** The HSM's identity: its ESN and the module key pair made at first boot. */
class HsmIdentityTest extends HsmTestBase {

  @Test
  void firstBootCreatesTheModuleKeyPairOwnerOnly() throws Exception {
    HsmFixture f = freshHsm();
    HsmInfo info = info(f);
    assertEquals(f.esn, info.esn());

    Path privateFile = f.env.keyDirectory().resolve("module.key");
    Path publicFile = f.env.keyDirectory().resolve("module.pub");
    assertTrue(Files.isRegularFile(privateFile));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile)));
    PrivateKey privateKey = KeyFiles.readPrivate(privateFile);
    PublicKey publicKey = KeyFiles.readPublic(publicFile);
    assertTrue(privateKey.getAlgorithm().contains("25519") || privateKey.getAlgorithm().equals("EdDSA"),
        privateKey.getAlgorithm());
    assertEquals(PublicKeys.fingerprint(publicKey), info.moduleKeyFingerprint());
    // The two files are one pair.
    byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
    assertTrue(PublicKeys.verify(publicKey, probe, PublicKeys.sign(privateKey, probe)));
  }

  @Test
  void theJournalRecordsThePublicKeyAndNeverThePrivateOne() throws Exception {
    HsmFixture f = readyHsm(SpeedRating.MID, 5);
    TestTenant tenant = new TestTenant();
    UUID uuid = create(f, tenant, Map.of("name", "a"), ProviderChoices.NONE).view().uuid();
    start(f, uuid);

    String hsmId = HsmEntity.persistenceId(f.esn).id();
    List<Object> events = new ArrayList<>(journal.persistedInStorage(hsmId));
    HsmEntity.IdentityEstablished identity = assertInstanceOf(HsmEntity.IdentityEstablished.class,
        ChainedEvent.unwrap(events.get(0)));
    assertEquals(f.esn, identity.esn());
    PublicKey publicKey = KeyFiles.readPublic(f.env.keyDirectory().resolve("module.pub"));
    assertEquals(PublicKeys.encode(publicKey), identity.modulePublicKey());
    events.addAll(journal.persistedInStorage(VcmEntity.persistenceId(uuid).id()));

    byte[] der = KeyFiles.readPrivate(f.env.keyDirectory().resolve("module.key")).getEncoded();
    byte[] seed = ASN1OctetString.getInstance(PrivateKeyInfo.getInstance(der).parsePrivateKey()).getOctets();
    assertEquals(32, seed.length);
    Serialization serialization = SerializationExtension.get(kit.system().classicSystem());
    for (Object event : events) {
      byte[] bytes = serialization.serialize(event).get();
      assertFalse(contains(bytes, seed), () -> "private key seed in " + ChainedEvent.unwrap(event).getClass().getSimpleName());
      assertFalse(contains(bytes, der), () -> "private key in " + ChainedEvent.unwrap(event).getClass().getSimpleName());
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      assertFalse(text.contains(Base64.getEncoder().encodeToString(seed)));
      assertFalse(text.contains(Base64.getEncoder().encodeToString(der)));
    }
  }

  @Test
  void aRestartKeepsTheIdentityAndTheKeyFiles() throws Exception {
    HsmFixture f = freshHsm();
    HsmInfo before = info(f);
    byte[] keyFile = Files.readAllBytes(f.env.keyDirectory().resolve("module.key"));
    HsmFixture again = respawn(f);
    HsmInfo after = info(again);
    assertEquals(before.esn(), after.esn());
    assertEquals(before.moduleKeyFingerprint(), after.moduleKeyFingerprint());
    assertTrue(java.util.Arrays.equals(keyFile, Files.readAllBytes(f.env.keyDirectory().resolve("module.key"))),
        "the private key is never replaced");
    assertEquals(1, journal.persistedInStorage(HsmEntity.persistenceId(f.esn).id()).stream().map(ChainedEvent::unwrap)
        .filter(HsmEntity.IdentityEstablished.class::isInstance).count(), "the identity is established once");
  }

  @Test
  void twoHsmsHaveTheirOwnIdentities() {
    HsmInfo a = info(freshHsm());
    HsmInfo b = info(freshHsm());
    assertFalse(a.esn().equals(b.esn()));
    assertFalse(a.moduleKeyFingerprint().equals(b.moduleKeyFingerprint()));
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
