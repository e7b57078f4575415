package io.vcmctl.softhsm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The files of one VCM: {@code <directory>/<uuid>/} (0700) with its SoftHSMv2 configuration,
 * its token directory {@code tokens/} (0700), and while it runs the server's socket and PID
 * file (and the server's standard error, kept until the next start). Nothing here starts or inspects processes.
 */
final class VcmDirectory {

  static final String SOCKET = "p11-kit.sock";

  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
  private static final int WIPE_CHUNK = 64 * 1024;
  /** Longest part of a server's error output quoted in a failure. */
  private static final int MAX_REASON = 400;

  private final UUID uuid;
  private final Path root;

  VcmDirectory(Path directory, UUID uuid) {
    this.uuid = uuid;
    this.root = directory.resolve(uuid.toString());
  }

  /** Bytes of the socket path of any VCM under {@code directory}. */
  static int socketPathLength(Path directory) {
    return directory.resolve(new UUID(0, 0).toString()).resolve(SOCKET).toString()
        .getBytes(StandardCharsets.UTF_8).length;
  }

  UUID uuid() {
    return uuid;
  }

  Path root() {
    return root;
  }

  Path conf() {
    return root.resolve("softhsm2.conf");
  }

  Path tokens() {
    return root.resolve("tokens");
  }

  Path socket() {
    return root.resolve(SOCKET);
  }

  Path pidFile() {
    return root.resolve("p11-kit.pid");
  }

  /** Where the server's standard error goes: a file, not a pipe, so that the server outlives us. */
  Path errors() {
    return root.resolve("p11-kit.err");
  }

  boolean exists() {
    return Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS);
  }

  /** Whether everything {@link #create} makes is there. */
  boolean isComplete() {
    return Files.isRegularFile(conf(), LinkOption.NOFOLLOW_LINKS)
        && Files.isDirectory(tokens(), LinkOption.NOFOLLOW_LINKS);
  }

  /** Makes the directory, its token directory and its configuration; repairs what is missing. */
  void create() throws IOException {
    createOwnerOnly(root.getParent());
    createOwnerOnly(root);
    createOwnerOnly(tokens());
    writeOwnerOnly(conf(), softHsmConf());
  }

  private String softHsmConf() {
    return "# SoftHSMv2 configuration of VCM " + uuid + ": one token directory, owned by this VCM alone.\n"
        + "directories.tokendir = " + tokens() + "\n"
        + "objectstore.backend = file\n"
        + "log.level = ERROR\n"
        + "slots.removable = false\n";
  }

  OptionalLong readPid() throws IOException {
    try {
      String text = Files.readString(pidFile(), StandardCharsets.US_ASCII).trim();
      return text.matches("[1-9][0-9]{0,9}") ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
  }

  void writePid(long pid) throws IOException {
    writeOwnerOnly(pidFile(), pid + "\n");
  }

  /** Removes what a server that no longer runs left behind. */
  void removeServerFiles() throws IOException {
    Files.deleteIfExists(pidFile());
    Files.deleteIfExists(socket());
  }

  /** An empty owner-only error file for a server about to start. */
  Path freshErrors() throws IOException {
    Files.deleteIfExists(errors());
    Files.createFile(errors(), PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
    return errors();
  }

  /**
   * What the server wrote to its standard error, as one line without p11-kit's
   * {@code (p11-kit:PID) message:} prefixes; empty when it wrote nothing.
   */
  String errorsInOneLine() {
    try (Stream<String> lines = Files.lines(errors(), StandardCharsets.UTF_8)) {
      String text = lines.map(line -> line.replaceFirst("^\\(p11-kit:\\d+\\)\\s*(\\w+:)?", "").strip())
          .filter(line -> !line.isEmpty())
          .collect(Collectors.joining("; "));
      return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "...";
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  void restrictSocket() throws IOException {
    Files.setPosixFilePermissions(socket(), OWNER_ONLY_FILE);
  }

  /** Bytes of every file in the token directory, recursively. */
  long tokenBytes() throws IOException {
    long[] total = {0};
    Files.walkFileTree(tokens(), new TolerantVisitor() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          total[0] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return total[0];
  }

  /** SoftHSMv2 gives each initialised token a directory of its own holding a token.object. */
  boolean tokenInitialized() throws IOException {
    try (Stream<Path> entries = Files.list(tokens())) {
      return entries.anyMatch(entry -> Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
          && Files.isRegularFile(entry.resolve("token.object"), LinkOption.NOFOLLOW_LINKS));
    }
  }

  /** Overwrites every file with zeros on disk, then removes the whole directory. */
  void wipe() throws IOException {
    if (!exists()) {
      return;
    }
    Files.walkFileTree(root, new TolerantVisitor() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          overwrite(file, attrs.size());
        }
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void overwrite(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer zeros = ByteBuffer.allocate(WIPE_CHUNK);
      long written = 0;
      while (written < size) {
        zeros.clear().limit((int) Math.min(WIPE_CHUNK, size - written));
        written += channel.write(zeros, written);
      }
      channel.force(true);
    }
  }

  /** Follows links, so that the directory of all VCMs may be a link to another disk. */
  private static void createOwnerOnly(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir.getParent());
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
    }
    Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
  }

  /** Written beside, then moved over: a reader sees the old content or the new, never half. */
  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE);
    try (FileChannel channel = FileChannel.open(partial, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), ownerOnly)) {
      channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      channel.force(true);
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** SoftHSMv2 adds and removes lock files while we walk: a file that vanished is skipped. */
  private static class TolerantVisitor extends SimpleFileVisitor<Path> {
    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
      if (e instanceof NoSuchFileException) {
        return FileVisitResult.CONTINUE;
      }
      throw e;
    }
  }
}
