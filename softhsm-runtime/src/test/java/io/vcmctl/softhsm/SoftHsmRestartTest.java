package io.vcmctl.softhsm;

import static io.vcmctl.softhsm.SoftHsmFixture.await;
import static io.vcmctl.softhsm.SoftHsmFixture.eventually;
import static io.vcmctl.softhsm.SoftHsmFixture.isRunning;
import static io.vcmctl.softhsm.SoftHsmFixture.onlyServerOf;
import static io.vcmctl.softhsm.SoftHsmFixture.serversOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.VcmRuntime.DeviceStatus;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the processes say wins over what any runtime instance remembers: a daemon killed with -9
 * and restarted on the same directory, and servers that die behind its back.
 */
class SoftHsmRestartTest {

  private static SoftHsmFixture fixture;

  @BeforeAll
  static void setUp() throws Exception {
    fixture = SoftHsmFixture.create();
  }

  @AfterAll
  static void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aNewInstanceAdoptsTheRunningServersAndNeverStartsASecond() {
    UUID first = fixture.vcm(true);
    UUID second = fixture.vcm(true);
    fixture.tenant(second).initialiseToken();
    fixture.tenant(second).generateEcKey("kept");
    ProcessHandle firstServer = onlyServerOf(fixture.directory(first).socket());
    ProcessHandle secondServer = onlyServerOf(fixture.directory(second).socket());

    // The old instance is abandoned without close, as a daemon killed with -9 leaves it.
    SoftHsmRuntime restarted = fixture.newInstance();

    assertEquals(DeviceStatus.RUNNING, await(restarted.status(first)));
    assertEquals(DeviceStatus.RUNNING, await(restarted.status(second)));
    await(restarted.start(first));
    await(restarted.start(second));
    assertEquals(firstServer, onlyServerOf(fixture.directory(first).socket()), "exactly the old server, no second");
    assertEquals(secondServer, onlyServerOf(fixture.directory(second).socket()));
    assertTrue(fixture.tenant(second).loggedIn("--list-objects").contains("label:      kept"));
    assertTrue(fixture.measure(restarted, second).memoryBytes() > 0, "the adopted server is measured");

    await(restarted.stop(first, false));
    await(restarted.stop(second, false));

    assertFalse(isRunning(firstServer));
    assertFalse(isRunning(secondServer));
    assertEquals(DeviceStatus.STOPPED, await(restarted.status(first)));
    assertEquals(DeviceStatus.STOPPED, await(fixture.runtime.status(second)), "the old instance sees it too");
  }

  @Test
  void aKilledServerIsReportedStoppedAndStartsAgainWithTheKeyIntact() throws Exception {
    UUID vcm = fixture.vcm(true);
    Pkcs11Tool tenant = fixture.tenant(vcm);
    tenant.initialiseToken();
    tenant.generateEcKey("survivor");
    Path socket = fixture.directory(vcm).socket();
    ProcessHandle server = onlyServerOf(socket);

    server.destroyForcibly();
    server.onExit().get(10, TimeUnit.SECONDS);

    assertEquals(DeviceStatus.STOPPED, await(fixture.runtime.status(vcm)));
    assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the dead server's socket is removed");
    assertFalse(Files.exists(fixture.directory(vcm).pidFile()), "and its PID file");
    assertEquals(0, fixture.measure(fixture.runtime, vcm).memoryBytes());

    await(fixture.runtime.start(vcm));

    assertEquals(DeviceStatus.RUNNING, await(fixture.runtime.status(vcm)));
    onlyServerOf(socket);
    assertTrue(tenant.loggedIn("--list-objects").contains("label:      survivor"));
  }

  @Test
  void aTenantSessionLeftByAKilledServerEndsWhenTheRuntimeLooks() throws Exception {
    UUID vcm = fixture.vcm(true);
    Path socket = fixture.directory(vcm).socket();
    ProcessHandle server = onlyServerOf(socket);
    try (SocketChannel tenant = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      eventually("a session process for the connected tenant", Duration.ofSeconds(5),
          () -> server.children().findAny().isPresent());
      List<ProcessHandle> sessions = server.children().collect(Collectors.toList());
      server.destroyForcibly();
      server.onExit().get(10, TimeUnit.SECONDS);
      assertTrue(sessions.stream().allMatch(SoftHsmFixture::isRunning), "p11-kit leaves the session running");

      assertEquals(DeviceStatus.STOPPED, await(fixture.runtime.status(vcm)));

      assertTrue(sessions.stream().noneMatch(SoftHsmFixture::isRunning), "nothing of a stopped VCM runs");
      tenant.configureBlocking(false);
      eventually("the end of the tenant's connection", Duration.ofSeconds(5), () -> SoftHsmFixture.isClosed(tenant));
    }
  }

  @Test
  void aPidFileNamingAnotherProcessIsNotTakenForTheServer() throws Exception {
    UUID vcm = fixture.vcm(false);
    VcmDirectory dir = fixture.directory(vcm);
    // A reused PID: a live process, but not a p11-kit serving this socket (this JVM).
    Files.writeString(dir.pidFile(), ProcessHandle.current().pid() + "\n");

    assertEquals(DeviceStatus.STOPPED, await(fixture.runtime.status(vcm)));
    assertFalse(Files.exists(dir.pidFile()), "the stale PID file is removed");
    await(fixture.runtime.start(vcm));
    assertEquals(DeviceStatus.RUNNING, await(fixture.runtime.status(vcm)));
    assertEquals(Long.parseLong(Files.readString(dir.pidFile()).strip()), onlyServerOf(dir.socket()).pid());
  }

  @Test
  void aServerWhosePidFileWasLostIsFoundByItsSocket() throws Exception {
    UUID vcm = fixture.vcm(true);
    VcmDirectory dir = fixture.directory(vcm);
    ProcessHandle server = onlyServerOf(dir.socket());
    // As a daemon killed between launching the server and writing its PID file leaves it.
    Files.delete(dir.pidFile());

    SoftHsmRuntime restarted = fixture.newInstance();

    assertEquals(DeviceStatus.RUNNING, await(restarted.status(vcm)));
    await(restarted.start(vcm));
    assertEquals(server, onlyServerOf(dir.socket()));
    await(restarted.stop(vcm, false));
    assertFalse(isRunning(server));
    assertTrue(serversOf(dir.socket()).isEmpty());
  }
}
