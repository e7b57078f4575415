package io.vcmctl.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

  @TempDir Path tmp;

  @Test
  void createsJournalAndSnapshotDirectoriesOwnerOnly() throws Exception {
    DataDirectory dir = DataDirectory.of(tmp.resolve("a/b/data")).create();

    for (Path p : new Path[] {dir.root(), dir.journal(), dir.snapshots()}) {
      assertTrue(Files.isDirectory(p), p + " exists");
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    }
  }

  @Test
  void pointsJournalAndSnapshotsAtTheDirectory() {
    DataDirectory dir = DataDirectory.of(tmp.resolve("d"));
    Config config = dir.config().withFallback(ConfigFactory.load());

    assertEquals(dir.journal().toString(), config.getString("pekko.persistence.journal.leveldb.dir"));
    assertEquals(dir.snapshots().toString(), config.getString("pekko.persistence.snapshot-store.local.dir"));
    assertTrue(config.getBoolean("pekko.persistence.journal.leveldb.native"));
    assertTrue(config.getBoolean("pekko.persistence.journal.leveldb.fsync"));
    assertEquals("off", config.getString("pekko.actor.allow-java-serialization"));
  }

  @Test
  void defaultDataDirectoryIsLocalAndJournalFollowsIt() {
    Config config = ConfigFactory.load();
    assertEquals("data", config.getString("vcmctl.data-dir"));
    assertEquals("data/journal", config.getString("pekko.persistence.journal.leveldb.dir"));
  }

  @Test
  void writesSecretsOwnerOnly() throws Exception {
    Path file = tmp.resolve("keys/module.key");
    DataDirectory.writeOwnerOnly(file, new byte[] {1, 2, 3});
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    DataDirectory.writeOwnerOnly(file, new byte[] {4});
    assertEquals(1, Files.size(file));
  }
}
