package io.vcmctl.softhsm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about processes: which ones serve a VCM, and what they use.
 * A process that goes away while it is read counts as absent and uses nothing.
 */
final class ProcFs {

  private static final Path PROC = Path.of("/proc");
  private static final long AT_CLKTCK = 17;
  private static final long LINUX_USER_HZ = 100;
  /** __SO_ACCEPTCON in the flags of /proc/net/unix: the socket called listen(). */
  private static final long LISTENING = 0x10000;

  /** Units of the times in {@code /proc/PID/stat} per second. */
  static final long CLOCK_TICKS = clockTicks();

  private ProcFs() {}

  /** Whether {@code pid} is a live p11-kit server serving {@code socket} (not a reused PID). */
  static boolean isServerOf(long pid, Path socket) {
    List<String> args = commandLine(pid);
    int name = args.indexOf("-n");
    return isP11Kit(pid) && name >= 0 && name + 1 < args.size() && args.get(name + 1).equals(socket.toString());
  }

  static Optional<ProcessHandle> server(long pid, Path socket) {
    return ProcessHandle.of(pid).filter(process -> isServerOf(pid, socket));
  }

  /**
   * The server of {@code socket} found among all processes, for when its PID file is gone. The
   * server forks a child per connection, which carries the server's command line until it
   * executes {@code p11-kit-remote}: a match whose parent matches too is such a child.
   */
  static Optional<ProcessHandle> findServer(Path socket) {
    return ProcessHandle.allProcesses()
        .filter(process -> isServerOf(process.pid(), socket))
        .filter(process -> process.parent().filter(parent -> isServerOf(parent.pid(), socket)).isEmpty())
        .findFirst();
  }

  /**
   * Every p11-kit process working for the token of {@code conf}: its server, and the
   * {@code p11-kit-remote} the server runs for each tenant connection, which outlives the
   * server while its tenant stays connected. They inherit the server's environment.
   */
  static List<ProcessHandle> processesOf(Path conf) {
    String variable = "SOFTHSM2_CONF=" + conf;
    return ProcessHandle.allProcesses()
        .filter(process -> isP11Kit(process.pid()) && environment(process.pid()).contains(variable))
        .collect(Collectors.toList());
  }

  /**
   * Whether a socket bound to {@code socket} listens, so that a connection would be accepted.
   * Read from /proc/net/unix rather than tried: each connection costs the server a session
   * process that loads the token.
   */
  static boolean isListening(Path socket) {
    String path = socket.toString();
    try (Stream<String> lines = Files.lines(PROC.resolve("net/unix"), StandardCharsets.UTF_8)) {
      // Num RefCount Protocol Flags Type St Inode Path
      return lines.skip(1).map(line -> line.split(" ", 8))
          .anyMatch(fields -> fields.length == 8 && fields[7].equals(path)
              && (Long.parseLong(fields[3], 16) & LISTENING) != 0);
    } catch (IOException | UncheckedIOException | NumberFormatException e) {
      return false;
    }
  }

  /** Resident set size ({@code VmRSS}) in bytes; 0 for a process that is gone. */
  static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(PROC.resolve(pid + "/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024;
        }
      }
      return 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /**
   * CPU time in clock ticks: user plus system, and with {@code withReapedChildren} that of the
   * children it has waited for (a server's finished tenant sessions).
   */
  static long cpuTicks(long pid, boolean withReapedChildren) {
    String[] fields = statFields(pid);
    // Fields after the command name start at field 3 (state); utime is field 14.
    if (fields.length < 15) {
      return 0;
    }
    try {
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return withReapedChildren ? ticks + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : ticks;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Whether {@code pid} is gone: no such process, or a zombie nobody reaped yet. */
  static boolean isGone(long pid) {
    String[] fields = statFields(pid);
    return fields.length == 0 || fields[0].equals("Z");
  }

  private static boolean isP11Kit(long pid) {
    String stat = read(pid, "stat");
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    return open >= 0 && close > open && stat.substring(open + 1, close).startsWith("p11-kit") && !isGone(pid);
  }

  /** The fields after the command name, which may itself hold spaces and parentheses. */
  private static String[] statFields(long pid) {
    String stat = read(pid, "stat");
    int close = stat.lastIndexOf(')');
    return close < 0 || close + 2 >= stat.length() ? new String[0] : stat.substring(close + 2).strip().split(" ");
  }

  private static List<String> commandLine(long pid) {
    return nulSeparated(read(pid, "cmdline"));
  }

  private static List<String> environment(long pid) {
    return nulSeparated(read(pid, "environ"));
  }

  private static List<String> nulSeparated(String text) {
    return text.isEmpty() ? List.of() : Arrays.asList(text.split("\0"));
  }

  /** The file's text, or an empty string when the process is gone or not ours to read. */
  private static String read(long pid, String file) {
    try {
      return new String(Files.readAllBytes(PROC.resolve(pid + "/" + file)), StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      return "";
    }
  }

  /**
   * The kernel passes the tick rate to every process in its auxiliary vector (AT_CLKTCK), which
   * {@code sysconf(_SC_CLK_TCK)} reads; Linux has fixed it at 100 (USER_HZ) on every
   * architecture, the fallback where the vector cannot be read. Entries are pairs of 64-bit
   * words on x86_64, the only platform the product ships native libraries for.
   */
  private static long clockTicks() {
    try {
      ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(PROC.resolve("self/auxv"))).order(ByteOrder.nativeOrder());
      while (auxv.remaining() >= 16) {
        long type = auxv.getLong();
        long value = auxv.getLong();
        if (type == AT_CLKTCK && value > 0) {
          return value;
        }
      }
    } catch (IOException | SecurityException e) {
      return LINUX_USER_HZ;
    }
    return LINUX_USER_HZ;
  }
}
