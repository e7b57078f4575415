package io.vcmctl.softhsm;

import static io.vcmctl.softhsm.SoftHsmFixture.await;
import static io.vcmctl.softhsm.SoftHsmFixture.eventually;
import static io.vcmctl.softhsm.SoftHsmFixture.failure;
import static io.vcmctl.softhsm.SoftHsmFixture.isRunning;
import static io.vcmctl.softhsm.SoftHsmFixture.onlyServerOf;
import static io.vcmctl.softhsm.SoftHsmFixture.serversOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.vcm.VcmRuntime.DeviceStatus;
import io.vcmctl.vcm.VcmRuntime.Pkcs11Access;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Create, start, stop and destroy with real p11-kit servers and SoftHSMv2 tokens. */
class SoftHsmLifecycleTest {

  private static SoftHsmFixture fixture;
  private static SoftHsmRuntime runtime;

  @BeforeAll
  static void setUp() throws Exception {
    fixture = SoftHsmFixture.create();
    runtime = fixture.runtime;
  }

  @AfterAll
  static void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void everyLifecycleCallSucceedsAgainWhenRepeated() {
    UUID vcm = UUID.randomUUID();
    Path socket = fixture.directory(vcm).socket();
    assertEquals(DeviceStatus.ABSENT, await(runtime.status(vcm)));

    await(runtime.create(vcm));
    await(runtime.create(vcm));
    assertEquals(DeviceStatus.STOPPED, await(runtime.status(vcm)));
    assertTrue(serversOf(socket).isEmpty(), "creating runs nothing");

    await(runtime.start(vcm));
    ProcessHandle server = onlyServerOf(socket);
    await(runtime.start(vcm));
    assertEquals(server, onlyServerOf(socket), "starting a running VCM keeps its one server");
    assertEquals(DeviceStatus.RUNNING, await(runtime.status(vcm)));

    await(runtime.stop(vcm, false));
    await(runtime.stop(vcm, false));
    assertEquals(DeviceStatus.STOPPED, await(runtime.status(vcm)));
    assertFalse(isRunning(server), "stop ended the server");
    assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "no socket while stopped");

    await(runtime.destroy(vcm));
    await(runtime.destroy(vcm));
    assertEquals(DeviceStatus.ABSENT, await(runtime.status(vcm)));
    assertFalse(Files.exists(fixture.directory(vcm).root()), "destroy leaves no directory");
  }

  @Test
  void callsForOneVcmTakeEffectInTheOrderTheyWereMade() {
    UUID vcm = UUID.randomUUID();
    Path socket = fixture.directory(vcm).socket();

    runtime.create(vcm);
    runtime.start(vcm);
    CompletionStage<DeviceStatus> whileRunning = runtime.status(vcm);
    runtime.stop(vcm, false);
    runtime.start(vcm);
    runtime.destroy(vcm);
    CompletionStage<DeviceStatus> afterAll = runtime.status(vcm);

    assertEquals(DeviceStatus.RUNNING, await(whileRunning));
    assertEquals(DeviceStatus.ABSENT, await(afterAll));
    assertTrue(serversOf(socket).isEmpty());
  }

  @Test
  void startServesTheTokenOnTheSocketItHandsOut() throws Exception {
    UUID vcm = fixture.vcm(true);
    Pkcs11Access access = runtime.pkcs11(vcm).orElseThrow();
    assertEquals("unix:path=" + fixture.directory(vcm).socket(), access.serverAddress());
    assertEquals("/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so", access.clientModule());

    String slots = fixture.tenant(vcm).run("--list-slots");
    assertTrue(slots.contains("SoftHSM") && slots.contains("uninitialized"),
        "a new VCM shows one uninitialised SoftHSMv2 token: " + slots);
  }

  @Test
  void aServerRunsInASessionOfItsOwnSoThatSignalsToTheDaemonsTerminalMissIt() throws Exception {
    UUID vcm = fixture.vcm(true);
    long server = onlyServerOf(fixture.directory(vcm).socket()).pid();

    assertEquals(server, sessionOf(server), "the server leads its own session");
    assertNotEquals(sessionOf(ProcessHandle.current().pid()), sessionOf(server));
  }

  @Test
  void aDataDirectoryWithSpacesIsReachedThroughTheEscapedAddress() throws Exception {
    try (SoftHsmFixture spaced = SoftHsmFixture.create("vcmctl softhsm+")) {
      UUID vcm = spaced.vcm(true);
      String address = spaced.runtime.pkcs11(vcm).orElseThrow().serverAddress();

      assertTrue(address.startsWith("unix:path=/tmp/vcmctl%20softhsm%2B"), address);
      assertTrue(spaced.tenant(vcm).run("--list-slots").contains("SoftHSM"));
    }
  }

  @Test
  void forcedStopEndsTheServerAtOnce() {
    UUID vcm = fixture.vcm(true);
    ProcessHandle server = onlyServerOf(fixture.directory(vcm).socket());

    await(runtime.stop(vcm, true));

    assertFalse(isRunning(server));
    assertEquals(DeviceStatus.STOPPED, await(runtime.status(vcm)));
  }

  @Test
  void stopAlsoEndsTheSessionsOfConnectedTenants() throws Exception {
    UUID vcm = fixture.vcm(true);
    Path socket = fixture.directory(vcm).socket();
    ProcessHandle server = onlyServerOf(socket);
    try (SocketChannel tenant = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      // p11-kit runs each connection in a child process, which outlives the server on its own.
      eventually("a session process for the connected tenant", Duration.ofSeconds(5),
          () -> server.children().findAny().isPresent());
      List<ProcessHandle> sessions = server.children().collect(Collectors.toList());

      await(runtime.stop(vcm, false));

      assertFalse(isRunning(server));
      assertTrue(sessions.stream().noneMatch(SoftHsmFixture::isRunning), "no tenant session outlives the stop");
      tenant.configureBlocking(false);
      eventually("the end of the tenant's connection", Duration.ofSeconds(5), () -> SoftHsmFixture.isClosed(tenant));
    }
  }

  @Test
  void destroyingARunningVcmEndsItsServerAndRemovesItsDirectory() {
    UUID vcm = fixture.vcm(true);
    ProcessHandle server = onlyServerOf(fixture.directory(vcm).socket());

    await(runtime.destroy(vcm));

    assertFalse(isRunning(server));
    assertFalse(Files.exists(fixture.directory(vcm).root()));
    assertEquals(DeviceStatus.ABSENT, await(runtime.status(vcm)));
  }

  @Test
  void destroyOverwritesTheTokenFilesBeforeRemovingThem() throws Exception {
    UUID vcm = fixture.vcm(true);
    fixture.tenant(vcm).initialiseToken();
    Path tokenObject;
    try (var files = Files.walk(fixture.directory(vcm).tokens())) {
      tokenObject = files.filter(file -> file.getFileName().toString().equals("token.object")).findFirst().orElseThrow();
    }
    // A second name for the same bytes shows what destroy left on the disk.
    Path sameBytes = fixture.dataDir.resolve("token.object.link");
    Files.createLink(sameBytes, tokenObject);
    long size = Files.size(sameBytes);

    await(runtime.destroy(vcm));

    assertEquals(size, Files.size(sameBytes));
    assertArrayEquals(new byte[(int) size], Files.readAllBytes(sameBytes), "every byte of the token is zero");
    Files.delete(sameBytes);
  }

  @Test
  void directoriesConfigurationAndSocketAreOwnerOnly() throws Exception {
    UUID vcm = fixture.vcm(true);
    VcmDirectory dir = fixture.directory(vcm);

    assertEquals("rwx------", mode(fixture.settings.directory()));
    assertEquals("rwx------", mode(dir.root()));
    assertEquals("rwx------", mode(dir.tokens()));
    assertEquals("rw-------", mode(dir.conf()));
    assertEquals("rw-------", mode(dir.socket()));
    assertEquals("rw-------", mode(dir.pidFile()));
    assertTrue(Files.readString(dir.conf()).contains("directories.tokendir = " + dir.tokens() + "\n"),
        "the VCM's SoftHSMv2 uses its own token directory");
  }

  @Test
  void anUnknownVcmIsAbsentAndOnlyCallsThatNeedItFail() {
    UUID unknown = UUID.randomUUID();

    assertEquals(DeviceStatus.ABSENT, await(runtime.status(unknown)));
    await(runtime.stop(unknown, false));
    await(runtime.destroy(unknown));
    String measure = failure(runtime.measure(SoftHsmFixture.view(unknown)));
    String start = failure(runtime.start(unknown));

    assertEquals("VCM " + unknown + " does not exist on this device", measure);
    assertEquals("cannot start VCM " + unknown + ": it does not exist on this device; create it first", start);
    assertFalse(Files.exists(fixture.directory(unknown).root()), "no call made the unknown VCM exist");
  }

  @Test
  void aMissingProgramIsNamedInOneLineAndNothingRuns() {
    SoftHsmSettings s = fixture.settings;
    Path absent = Path.of("/nonexistent/bin/p11-kit");
    SoftHsmSettings withoutP11Kit = new SoftHsmSettings(s.directory(), absent, s.provider(), s.clientModule(),
        s.startTimeout(), s.stopGracePeriod(), s.killTimeout(), s.threads());
    try (SoftHsmRuntime broken = new SoftHsmRuntime(withoutP11Kit)) {
      UUID vcm = UUID.randomUUID();
      await(broken.create(vcm));

      String reason = failure(broken.start(vcm));

      assertEquals("cannot start VCM " + vcm + ": p11-kit is not installed: no program " + absent
          + " (Debian package p11-kit)", reason);
      assertEquals(DeviceStatus.STOPPED, await(broken.status(vcm)));
      assertEquals(SoftHsmRuntime.missingProgram(withoutP11Kit).orElseThrow(),
          "p11-kit is not installed: no program " + absent + " (Debian package p11-kit)");
    }
    assertTrue(SoftHsmRuntime.missingProgram(fixture.settings).isEmpty(), "everything is installed here");
  }

  @Test
  void aServerThatExitsFailsTheStartWithWhatItPrinted() {
    SoftHsmSettings s = fixture.settings;
    // A real program that is not p11-kit: it rejects the server's options on its standard error.
    SoftHsmSettings notP11Kit = new SoftHsmSettings(s.directory(), Path.of("/usr/bin/ls"), s.provider(),
        s.clientModule(), s.startTimeout(), s.stopGracePeriod(), s.killTimeout(), s.threads());
    try (SoftHsmRuntime wrong = new SoftHsmRuntime(notP11Kit)) {
      UUID vcm = UUID.randomUUID();
      await(wrong.create(vcm));

      String reason = failure(wrong.start(vcm));

      assertTrue(reason.startsWith("cannot start VCM " + vcm + ": p11-kit server exited before accepting: "), reason);
      assertTrue(reason.contains("unrecognized option '--provider'"), reason);
      assertEquals(DeviceStatus.STOPPED, await(wrong.status(vcm)));
      assertFalse(Files.exists(fixture.directory(vcm).pidFile()), "a failed start leaves no PID file");
    }
  }

  /** Field 6 of /proc/PID/stat, counted after the command name in parentheses. */
  private static long sessionOf(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }
}
