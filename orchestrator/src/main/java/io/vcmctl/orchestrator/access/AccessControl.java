package io.vcmctl.orchestrator.access;

import com.typesafe.config.Config;
import io.vcmctl.persistence.DataDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Who may call the daemon: the operators of an {@link OperatorStore}, the bootstrap
 * {@code admin} whose token is kept in {@code DATA/admin.token}, and the {@link AccessLog} of
 * changes and refusals.
 *
 * <p>The bootstrap admin is made at the first start and keeps its token across restarts;
 * {@code operator rotate admin} writes a new one into the same file.
 */
public final class AccessControl {

  /** The bootstrap operator, whose token the daemon keeps in {@link #TOKEN_FILE}. */
  public static final String BOOTSTRAP = "admin";
  public static final String TOKEN_FILE = "admin.token";
  public static final String OPERATORS_FILE = "operators.json";
  public static final String LOG_FILE = "access.log";

  private static final String BEARER = "Bearer ";
  private static final int MAX_TOKEN_FILE_BYTES = 4096;

  private final OperatorStore store;
  private final AccessLog log;
  private final Path adminTokenFile;
  private final Clock clock;

  public AccessControl(OperatorStore store, AccessLog log, Path adminTokenFile, Clock clock) {
    this.store = store;
    this.log = log;
    this.adminTokenFile = adminTokenFile;
    this.clock = clock;
  }

  /**
   * The operators of a data directory, with the bootstrap admin made (or its missing token
   * file written again) as needed; says so on {@code out} when an existing admin's token had
   * to be replaced. {@code config} holds the access log's settings.
   */
  public static AccessControl open(DataDirectory dir, PrintStream out, Config config) {
    AccessControl access = new AccessControl(FileOperatorStore.open(dir.resolve(OPERATORS_FILE)),
        log(dir, config), dir.resolve(TOKEN_FILE), Clock.systemUTC());
    access.bootstrap(out);
    return access;
  }

  /**
   * A cluster node's operators, in the {@code store} every node shares ({@link DbOperatorStore}).
   * The bootstrap admin's token is the one in {@code sharedTokenFile}, which every node reads, or
   * a new one written there when there is none. Two nodes starting at once agree (the file is
   * created exclusively; the one that loses reads the winner's, and the store keeps the first
   * add), and a token another node rotated is adopted rather than replaced. A revoked bootstrap
   * admin stays revoked: no token file is written again.
   *
   * @throws IllegalStateException one line when the file cannot be read or written, or holds no token
   */
  public static AccessControl openShared(DataDirectory dir, OperatorStore store, Path sharedTokenFile,
      Config config) {
    AccessControl access = new AccessControl(store, log(dir, config), sharedTokenFile, Clock.systemUTC());
    Optional<Operator> admin = store.find(BOOTSTRAP);
    if (admin.isPresent() && !admin.get().active()) {
      return access;
    }
    String token = access.sharedToken();
    if (admin.isEmpty()) {
      try {
        store.add(BOOTSTRAP, Role.ADMIN, token, access.clock.instant());
        return access;
      } catch (IllegalStateException addedByAnotherNode) {
        admin = store.find(BOOTSTRAP);
      }
    }
    if (admin.isPresent() && admin.get().active() && !Tokens.matches(admin.get(), token)) {
      store.rotate(BOOTSTRAP, token);
    }
    return access;
  }

  private static AccessLog log(DataDirectory dir, Config config) {
    return new AccessLog(dir.resolve(LOG_FILE), AccessLog.Settings.of(config));
  }

  private String sharedToken() {
    for (int attempt = 0; attempt < 2; attempt++) {
      String onDisk = readTokenFile();
      if (onDisk != null) {
        if (!Tokens.wellFormed(onDisk)) {
          throw new IllegalStateException(adminTokenFile + " does not hold an admin token; remove it and a node"
              + " writes a new one at start");
        }
        return onDisk;
      }
      String fresh = Tokens.generate();
      try {
        DataDirectory.writeOwnerOnly(adminTokenFile, fresh.getBytes(StandardCharsets.US_ASCII), false);
        return fresh;
      } catch (FileAlreadyExistsException e) {
        // Another node wrote it first: read theirs.
      } catch (IOException e) {
        throw new IllegalStateException("cannot write the admin token file " + adminTokenFile + ": "
            + e.getMessage(), e);
      }
    }
    throw new IllegalStateException("cannot read the admin token file " + adminTokenFile);
  }

  private void bootstrap(PrintStream out) {
    Optional<Operator> admin = store.find(BOOTSTRAP);
    String onDisk = readTokenFile();
    if (admin.isEmpty()) {
      // A data directory of an earlier version holds a token already: keeping it keeps scripts working.
      String token = Tokens.wellFormed(onDisk) ? onDisk : Tokens.generate();
      store.add(BOOTSTRAP, Role.ADMIN, token, clock.instant());
      DataDirectory.writeOwnerOnly(adminTokenFile, token.getBytes(StandardCharsets.US_ASCII));
    } else if (admin.get().active()) {
      if (onDisk == null || !Tokens.wellFormed(onDisk) || !Tokens.matches(admin.get(), onDisk)) {
        String token = Tokens.generate();
        store.rotate(BOOTSTRAP, token);
        DataDirectory.writeOwnerOnly(adminTokenFile, token.getBytes(StandardCharsets.US_ASCII));
        out.println(adminTokenFile + " was missing or held another token; wrote a new admin token there");
        out.flush();
      }
    } else {
      deleteTokenFile();
    }
  }

  /** The active operator an {@code Authorization: Bearer TOKEN} header names, if any. */
  public Optional<Operator> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    return store.authenticate(authorization.substring(BEARER.length()).strip());
  }

  /** Whether authenticating reads a database (a cluster's), and so may wait. */
  public boolean waitsForDatabase() {
    return store instanceof DbOperatorStore;
  }

  public List<Operator> list() {
    return store.list();
  }

  /** A new operator and its token, shown once; recorded as done by {@code by}. */
  public Issued add(Operator by, String name, Role role) {
    String token = Tokens.generate();
    Operator added = store.add(name, role, token, clock.instant());
    log.done(by, "operator add " + name + " " + role.label(), clock.instant());
    return new Issued(added, token);
  }

  /** A new token for an operator; the bootstrap admin's is written to {@code DATA/admin.token} too. */
  public Issued rotate(Operator by, String name) {
    String token = Tokens.generate();
    Operator rotated = store.rotate(name, token);
    if (BOOTSTRAP.equals(name)) {
      DataDirectory.writeOwnerOnly(adminTokenFile, token.getBytes(StandardCharsets.US_ASCII));
    }
    log.done(by, "operator rotate " + name, clock.instant());
    return new Issued(rotated, token);
  }

  /**
   * Revokes an operator at once.
   *
   * @throws IllegalStateException it is the last active admin: nobody could manage operators
   */
  public Operator revoke(Operator by, String name) {
    Operator target = store.find(name).orElseThrow(() -> OperatorStore.unknown(name));
    if (target.active() && target.role() == Role.ADMIN
        && store.list().stream().filter(o -> o.active() && o.role() == Role.ADMIN).count() == 1) {
      throw OperatorStore.lastAdmin(name);
    }
    Operator revoked = store.revoke(name, clock.instant());
    if (BOOTSTRAP.equals(name)) {
      deleteTokenFile();
    }
    log.done(by, "operator revoke " + name, clock.instant());
    return revoked;
  }

  /** Records a call refused for the caller's role: who tried what, and the role it needs. */
  public void refused(Operator by, Permission needed, String what) {
    log.refused(by, what, Role.needed(needed), clock.instant());
  }

  public AccessLog log() {
    return log;
  }

  public Path adminTokenFile() {
    return adminTokenFile;
  }

  /** An operator with its new token, which exists nowhere else. */
  public record Issued(Operator operator, String token) {
    @Override
    public String toString() {
      return "Issued[" + operator + ", token redacted]";
    }
  }

  private String readTokenFile() {
    try {
      if (!Files.isRegularFile(adminTokenFile) || Files.size(adminTokenFile) > MAX_TOKEN_FILE_BYTES) {
        return null;
      }
      return Files.readString(adminTokenFile, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + adminTokenFile + ": " + e.getMessage(), e);
    }
  }

  private void deleteTokenFile() {
    try {
      Files.deleteIfExists(adminTokenFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + adminTokenFile + ": " + e.getMessage(), e);
    }
  }
}
