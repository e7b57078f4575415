package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory on a small filesystem that fills up: commands are refused in one line
 * naming the disk, nothing acknowledged is lost, reads go on, and commands work again once there
 * is space. The filesystem is a tmpfs the test mounts, which needs root; elsewhere the test is
 * skipped, except under CI.
 */
@ExtendWith(LogCapturingExtension.class)
class DiskFullTest {

  @TempDir
  Path work;

  private Path mount;
  private Daemon daemon;

  @AfterEach
  void unmount() throws Exception {
    if (daemon != null) {
      daemon.stop();
    }
    if (mount != null) {
      new ProcessBuilder("umount", "--lazy", mount.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void aFullDiskRefusesCommandsKeepsReadsAndRecovers() throws Exception {
    mountTmpfs("128m");
    Path data = mount.resolve("data");
    daemon = Daemon.start(data, 0, List.of(), null, null, new PrintStream(OutputStream.nullOutputStream()));
    ApiClient api = new ApiClient(daemon.url(), daemon.tokenFile());
    String esn = daemon.orchestrator().esns().get(0);
    byte[] licence = Licence.of(esn, true, SpeedRating.MID, 10, List.of(), Instant.now()).sign(DemoVendor.keyPair());
    api.post("/v1/hsm/licence", json("licence", b64(licence))).ok();
    api.post("/v1/hsm/network", json("ipv4", "10.50.0.0/24")).ok();
    api.post("/v1/hsm/reset", "").ok();
    TestTenant tenant = new TestTenant();
    String kept = create(api, tenant, "kept").ok().json().path("uuid").asText();
    api.post("/v1/vcms/" + kept + "/start", "").ok();
    JsonNode before = api.get("/v1/vcms").ok().json();

    Path filler = fill(mount);

    String disk = "the disk of the data directory " + data + " is full";
    for (Answer refused : List.of(create(api, tenant, "refused"),
        api.post("/v1/vcms/" + kept + "/stop", json("force", true)),
        api.post("/v1/hsm/network", json("ipv4", "10.60.0.0/24")))) {
      assertTrue(refused.refused(503, "UNAVAILABLE").message().startsWith(disk), refused::raw);
      assertTrue(refused.message().contains("free space on that disk"), refused::raw);
    }
    assertEquals(before, api.get("/v1/vcms").ok().json(), "reads go on and show what was acknowledged");
    api.get("/v1/hsm/info").ok();

    Files.delete(filler);
    assertEquals("inactive", api.post("/v1/vcms/" + kept + "/stop", json("force", true)).ok().json()
        .path("state").asText());
    create(api, tenant, "after").ok();
    assertEquals(2, api.get("/v1/vcms").ok().json().path("vcms").size());
  }

  private static Answer create(ApiClient api, TestTenant tenant, String name) {
    return api.post("/v1/vcms", json("request", b64(tenant.createRequest(Map.of(), Instant.now())), "name", name));
  }

  /**
   * Fills the filesystem up to 16 MiB left (below the daemon's reserve; a disk left with nothing
   * at all is not survivable while LevelDB writes, see DiskReserve); returns the filler file.
   */
  private static Path fill(Path dir) throws IOException {
    Path filler = dir.resolve("filler");
    long size = Files.getFileStore(dir).getUsableSpace() - 16L * 1024 * 1024;
    try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw")) {
      byte[] block = new byte[1024 * 1024];
      for (long written = 0; written < size; written += block.length) {
        file.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
    return filler;
  }

  private void mountTmpfs(String size) throws Exception {
    Path dir = Files.createDirectory(work.resolve("small-disk"));
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes()).strip();
    boolean mounted = p.waitFor() == 0;
    ExternalProgram.require(mounted ? Optional.empty()
        : Optional.of("cannot mount a small tmpfs for the data directory (needs root): " + output));
    mount = dir;
    assertFalse(Files.list(dir).findAny().isPresent());
  }
}
