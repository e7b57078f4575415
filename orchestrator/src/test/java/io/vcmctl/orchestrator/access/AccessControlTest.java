package io.vcmctl.orchestrator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** The operators of a data directory as the daemon opens them at each start, without a daemon. */
class AccessControlTest {

  private final ByteArrayOutputStream said = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);

  private static DataDirectory fresh(String name) {
    return TestConfigs.freshDataDirectory(name).create();
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  @Test
  void theBootstrapAdminTokenIsMadeOnceAndKeptAcrossStarts() throws IOException {
    DataDirectory dir = fresh("access-bootstrap");
    AccessControl first = AccessControl.open(dir, out, ConfigFactory.load());
    String token = Files.readString(first.adminTokenFile());
    assertTrue(Tokens.wellFormed(token), token);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.adminTokenFile())));

    AccessControl second = AccessControl.open(dir, out, ConfigFactory.load());
    assertEquals(token, Files.readString(second.adminTokenFile()));
    assertEquals("admin", second.authenticate(bearer(token)).orElseThrow().name());
    assertEquals("", said.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theStoreHoldsOnlySaltedHashesOwnerOnly() throws IOException {
    DataDirectory dir = fresh("access-hashes");
    AccessControl access = AccessControl.open(dir, out, ConfigFactory.load());
    Operator admin = access.list().get(0);
    AccessControl.Issued alice = access.add(admin, "alice", Role.OPERATOR);
    AccessControl.Issued bob = access.add(admin, "bob", Role.OPERATOR);
    Path store = dir.resolve(AccessControl.OPERATORS_FILE);
    String stored = Files.readString(store);
    assertFalse(stored.contains(alice.token()) || stored.contains(bob.token())
        || stored.contains(Files.readString(access.adminTokenFile())), stored);
    assertFalse(java.util.Arrays.equals(alice.operator().salt(), bob.operator().salt()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
        dir.resolve(AccessControl.LOG_FILE))));
    assertEquals("bob", AccessControl.open(dir, out, ConfigFactory.load()).authenticate(bearer(bob.token())).orElseThrow().name());
  }

  @Test
  void aMissingAdminTokenFileIsWrittenAgainWithANewTokenAndSaysSo() throws IOException {
    DataDirectory dir = fresh("access-missing");
    AccessControl first = AccessControl.open(dir, out, ConfigFactory.load());
    String old = Files.readString(first.adminTokenFile());
    Files.delete(first.adminTokenFile());

    AccessControl second = AccessControl.open(dir, out, ConfigFactory.load());
    String renewed = Files.readString(second.adminTokenFile());
    assertTrue(Tokens.wellFormed(renewed) && !renewed.equals(old));
    assertTrue(second.authenticate(bearer(old)).isEmpty());
    assertEquals(second.adminTokenFile() + " was missing or held another token; wrote a new admin token there\n",
        said.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aTokenOfAnEarlierVersionIsKeptAtTheFirstStartWithOperators() throws IOException {
    DataDirectory dir = fresh("access-earlier");
    String earlier = "ab".repeat(32);
    Files.writeString(dir.resolve(AccessControl.TOKEN_FILE), earlier);
    AccessControl access = AccessControl.open(dir, out, ConfigFactory.load());
    assertEquals(earlier, Files.readString(access.adminTokenFile()));
    assertEquals("admin", access.authenticate(bearer(earlier)).orElseThrow().name());
  }

  @Test
  void theLastAdminCannotBeRevokedAndARevokedBootstrapAdminStaysRevoked() throws IOException {
    DataDirectory dir = fresh("access-revoke");
    AccessControl access = AccessControl.open(dir, out, ConfigFactory.load());
    Operator admin = access.list().get(0);
    IllegalStateException last = assertThrows(IllegalStateException.class, () -> access.revoke(admin, "admin"));
    assertEquals("admin is the last admin; add another admin before revoking it", last.getMessage());

    AccessControl.Issued carol = access.add(admin, "carol", Role.ADMIN);
    access.revoke(carol.operator(), "admin");
    assertTrue(Files.notExists(access.adminTokenFile()));
    assertThrows(IllegalStateException.class, () -> access.revoke(carol.operator(), "carol"));

    AccessControl again = AccessControl.open(dir, out, ConfigFactory.load());
    assertTrue(Files.notExists(again.adminTokenFile()), "a revoked admin came back at a restart");
    assertFalse(again.list().get(0).active());
    assertEquals("carol", again.authenticate(bearer(carol.token())).orElseThrow().name());
  }

  @Test
  void anUnreadableStoreStopsTheStartWithOneLine() throws IOException {
    DataDirectory dir = fresh("access-corrupt");
    Files.writeString(dir.resolve(AccessControl.OPERATORS_FILE), "{\"operators\": [{\"name\": \"x\"}]}");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AccessControl.open(dir, out, ConfigFactory.load()));
    assertTrue(e.getMessage().startsWith(dir.resolve(AccessControl.OPERATORS_FILE) + " is not a readable operator"
        + " list ("), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}
