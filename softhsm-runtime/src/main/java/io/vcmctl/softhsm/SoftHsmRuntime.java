package io.vcmctl.softhsm;

import com.typesafe.config.Config;
import io.vcmctl.vcm.Usage;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmView;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code softhsm} runtime: every VCM is a real PKCS#11 token. A VCM is a directory of its
 * own ({@link VcmDirectory}) holding a SoftHSMv2 token directory; an active VCM is one
 * {@code p11-kit server} process serving that token on a unix socket in the same directory,
 * which the tenant reaches through {@code p11-kit-client.so}.
 *
 * <p>What runs is told by the processes themselves, never by memory: a server is known by the
 * PID file beside its socket, checked against {@code /proc} (a p11-kit process serving exactly
 * that socket), so a new instance on the same directory, after the last one was killed, adopts
 * the servers that still run, never starts a second one for a VCM, and cleans up after servers
 * that died. Servers run in a session of their own and outlive this object: {@link #close()}
 * stops taking calls, not VCMs.
 *
 * <p>Calls run on the runtime's own threads, one after another per VCM. A failed call completes
 * with a {@link SoftHsmException} whose message is one line.
 */
public final class SoftHsmRuntime implements VcmRuntime, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SoftHsmRuntime.class);

  /** Starts the server in a session of its own, so a signal to ours (Ctrl-C) leaves the VCMs running. */
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  /** How often a start looks again whether the new server listens yet. */
  private static final Duration LISTEN_POLL = Duration.ofMillis(5);

  private final SoftHsmSettings settings;
  private final PerVcmQueue calls;

  public SoftHsmRuntime(SoftHsmSettings settings) {
    this.settings = settings;
    this.calls = new PerVcmQueue(settings.threads(), "softhsm-runtime");
  }

  /** Reads {@code vcmctl.softhsm} (see {@link SoftHsmSettings#fromConfig}). */
  public static SoftHsmRuntime fromConfig(Config config) {
    return new SoftHsmRuntime(SoftHsmSettings.fromConfig(config));
  }

  /**
   * Empty when everything this runtime runs is installed; otherwise one line naming the first
   * missing program or module and the Debian package that has it.
   */
  public static Optional<String> missingProgram(SoftHsmSettings settings) {
    if (!Files.isExecutable(settings.p11Kit())) {
      return Optional.of("p11-kit is not installed: no program " + settings.p11Kit() + " (Debian package p11-kit)");
    }
    if (!Files.isReadable(settings.provider())) {
      return Optional.of("SoftHSMv2 is not installed: no module " + settings.provider() + " (Debian package softhsm2)");
    }
    if (!Files.isReadable(settings.clientModule())) {
      return Optional.of("the p11-kit client module is not installed: no " + settings.clientModule()
          + " (Debian package p11-kit-modules)");
    }
    if (!Files.isExecutable(SETSID)) {
      return Optional.of("setsid is not installed: no program " + SETSID + " (Debian package util-linux)");
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "softhsm";
  }

  /** Makes the VCM's directory, token directory and configuration; repairs what is missing. */
  @Override
  public CompletionStage<Void> create(UUID vcm) {
    return calls.submit(vcm, "create", () -> {
      directory(vcm).create();
      return null;
    });
  }

  /** Runs the VCM's server and completes once its socket listens; a running VCM stays as it is. */
  @Override
  public CompletionStage<Void> start(UUID vcm) {
    return calls.submit(vcm, "start", () -> {
      startServer(directory(vcm));
      return null;
    });
  }

  /** Ends the server and every tenant session it runs; stopping a stopped or absent VCM succeeds. */
  @Override
  public CompletionStage<Void> stop(UUID vcm, boolean force) {
    return calls.submit(vcm, "stop", () -> {
      VcmDirectory dir = directory(vcm);
      if (dir.exists()) {
        stopProcesses(dir, force);
      }
      return null;
    });
  }

  /** Kills what runs, overwrites every file of the VCM, removes its directory; an absent VCM succeeds. */
  @Override
  public CompletionStage<Void> destroy(UUID vcm) {
    return calls.submit(vcm, "destroy", () -> {
      VcmDirectory dir = directory(vcm);
      if (dir.exists()) {
        stopProcesses(dir, true);
        dir.wipe();
        log.info("VCM {} destroyed: its token was overwritten and its directory removed", vcm);
      }
      return null;
    });
  }

  /** ABSENT without a directory, RUNNING while its server lives, otherwise STOPPED. */
  @Override
  public CompletionStage<DeviceStatus> status(UUID vcm) {
    return calls.submit(vcm, "query", () -> {
      VcmDirectory dir = directory(vcm);
      if (!dir.exists()) {
        return DeviceStatus.ABSENT;
      }
      return liveServer(dir).isPresent() ? DeviceStatus.RUNNING : DeviceStatus.STOPPED;
    });
  }

  /**
   * Disk: the bytes of the token directory. Memory and CPU: the server and the tenant sessions
   * it runs (resident size, and CPU seconds since it started); 0 while stopped. Fails for a VCM
   * this device does not have.
   */
  @Override
  public CompletionStage<Usage> measure(VcmView view) {
    UUID vcm = view.uuid();
    return calls.submit(vcm, "measure", () -> {
      VcmDirectory dir = directory(vcm);
      if (!dir.exists()) {
        throw new SoftHsmException("VCM " + vcm + " does not exist on this device");
      }
      long memory = 0;
      long ticks = 0;
      Optional<ProcessHandle> server = liveServer(dir);
      if (server.isPresent()) {
        memory = ProcFs.residentBytes(server.get().pid());
        ticks = ProcFs.cpuTicks(server.get().pid(), true);
        for (ProcessHandle session : server.get().descendants().collect(Collectors.toList())) {
          memory += ProcFs.residentBytes(session.pid());
          ticks += ProcFs.cpuTicks(session.pid(), false);
        }
      }
      return new Usage(memory, dir.tokenBytes(), ticks / (double) ProcFs.CLOCK_TICKS, dir.tokenInitialized());
    });
  }

  /** The VCM's socket, whether or not it runs now, and the client module. */
  @Override
  public Optional<Pkcs11Access> pkcs11(UUID vcm) {
    return Optional.of(new Pkcs11Access("unix:path=" + encodeAddressPath(directory(vcm).socket()),
        settings.clientModule().toString()));
  }

  /** The tenant writes its data through PKCS#11; nothing is simulated. */
  @Override
  public boolean simulatesTenantData() {
    return false;
  }

  /** Takes no more calls and waits for the running ones; the servers keep running. */
  @Override
  public void close() {
    calls.close(settings.startTimeout().plus(settings.stopGracePeriod()).plus(settings.killTimeout()));
  }

  private VcmDirectory directory(UUID vcm) {
    return new VcmDirectory(settings.directory(), vcm);
  }

  private void startServer(VcmDirectory dir) throws Exception {
    UUID vcm = dir.uuid();
    if (!dir.exists()) {
      throw new SoftHsmException("cannot start VCM " + vcm + ": it does not exist on this device; create it first");
    }
    if (!dir.isComplete()) {
      throw new SoftHsmException("cannot start VCM " + vcm + ": its directory " + dir.root()
          + " lacks softhsm2.conf or tokens/; create it again to repair it");
    }
    Optional<ProcessHandle> running = liveServer(dir);
    if (running.isPresent()) {
      awaitListening(dir, running.get());
      dir.restrictSocket();
      return;
    }
    Optional<String> missing = missingProgram(settings);
    if (missing.isPresent()) {
      throw new SoftHsmException("cannot start VCM " + vcm + ": " + missing.get());
    }
    ProcessHandle server = launch(dir).toHandle();
    // Written before the server accepts, so that a crash from here on leaves it findable.
    dir.writePid(server.pid());
    try {
      awaitListening(dir, server);
      dir.restrictSocket();
    } catch (Exception e) {
      end(vcm, List.of(server), true);
      dir.removeServerFiles();
      throw e;
    }
    log.info("VCM {} started: p11-kit server {} on {}", vcm, server.pid(), dir.socket());
  }

  private Process launch(VcmDirectory dir) throws IOException {
    List<String> command = List.of(SETSID.toString(), settings.p11Kit().toString(), "server",
        "--provider", settings.provider().toString(), "-f", "-n", dir.socket().toString(), "pkcs11:");
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dir.root().toFile())
        .redirectInput(Redirect.from(new File("/dev/null")))
        .redirectOutput(Redirect.DISCARD)
        .redirectError(Redirect.appendTo(dir.freshErrors().toFile()));
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("P11_KIT_") || name.startsWith("SOFTHSM2_"));
    environment.put("SOFTHSM2_CONF", dir.conf().toString());
    try {
      // setsid replaces itself with p11-kit (our child is never a process group leader, the
      // one case where setsid forks), so the PID is the server's.
      return builder.start();
    } catch (IOException e) {
      throw new SoftHsmException("cannot start VCM " + dir.uuid() + ": cannot run " + settings.p11Kit() + ": "
          + e.getMessage());
    }
  }

  /** Waits, up to the start timeout, until the socket listens; fails with the server's own reason. */
  private void awaitListening(VcmDirectory dir, ProcessHandle server) throws InterruptedException {
    Instant deadline = Instant.now().plus(settings.startTimeout());
    while (!ProcFs.isListening(dir.socket())) {
      if (!server.isAlive()) {
        String reason = dir.errorsInOneLine();
        throw new SoftHsmException("cannot start VCM " + dir.uuid() + ": p11-kit server exited before accepting"
            + (reason.isEmpty() ? " and said nothing" : ": " + reason));
      }
      if (Instant.now().isAfter(deadline)) {
        throw new SoftHsmException("cannot start VCM " + dir.uuid() + ": p11-kit server did not accept on "
            + dir.socket() + " within " + settings.startTimeout().toMillis() + " ms");
      }
      try {
        server.onExit().get(LISTEN_POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException stillRunning) {
        // Looks at the socket again.
      }
    }
  }

  /**
   * The VCM's live server: the one its PID file names, or, when the file is missing (a crash
   * right after the launch), the one found serving its socket, which is then written down.
   * What a server that died left behind (PID file, socket, orphaned sessions) is cleared.
   */
  private Optional<ProcessHandle> liveServer(VcmDirectory dir) throws IOException, InterruptedException {
    OptionalLong pid = dir.readPid();
    Optional<ProcessHandle> server = pid.isPresent() ? ProcFs.server(pid.getAsLong(), dir.socket()) : Optional.empty();
    boolean socketLeft = Files.exists(dir.socket(), LinkOption.NOFOLLOW_LINKS);
    if (server.isEmpty() && socketLeft) {
      server = ProcFs.findServer(dir.socket());
      if (server.isPresent()) {
        dir.writePid(server.get().pid());
        log.info("VCM {}: adopted p11-kit server {} found serving {}", dir.uuid(), server.get().pid(), dir.socket());
      }
    }
    if (server.isEmpty() && (pid.isPresent() || socketLeft)) {
      end(dir.uuid(), ProcFs.processesOf(dir.conf()), true);
      dir.removeServerFiles();
      log.info("VCM {}: its p11-kit server is gone; removed what it left behind", dir.uuid());
    }
    return server;
  }

  private void stopProcesses(VcmDirectory dir, boolean force) throws Exception {
    List<ProcessHandle> processes = new ArrayList<>(ProcFs.processesOf(dir.conf()));
    liveServer(dir).filter(server -> !processes.contains(server)).ifPresent(processes::add);
    if (!processes.isEmpty()) {
      end(dir.uuid(), processes, force);
      // A server still accepts while it ends: a session it forked after the first look is
      // found now, when no server is left to fork another.
      List<ProcessHandle> late = ProcFs.processesOf(dir.conf());
      end(dir.uuid(), late, true);
      processes.addAll(late);
      log.info("VCM {} stopped{}: ended p11-kit process(es) {}", dir.uuid(), force ? " by force" : "",
          processes.stream().map(ProcessHandle::pid).collect(Collectors.toList()));
    }
    dir.removeServerFiles();
  }

  /** TERM, then KILL after the grace period; with {@code force} KILL at once. */
  private void end(UUID vcm, List<ProcessHandle> processes, boolean force) throws InterruptedException {
    if (processes.isEmpty()) {
      return;
    }
    if (!force) {
      processes.forEach(ProcessHandle::destroy);
      if (allExited(processes, settings.stopGracePeriod())) {
        return;
      }
      log.warn("VCM {}: p11-kit process(es) still running {} ms after TERM; sending KILL", vcm,
          settings.stopGracePeriod().toMillis());
    }
    processes.forEach(ProcessHandle::destroyForcibly);
    if (!allExited(processes, settings.killTimeout())) {
      throw new SoftHsmException("cannot stop VCM " + vcm + ": p11-kit process(es) "
          + processes.stream().map(ProcessHandle::pid).filter(pid -> !ProcFs.isGone(pid)).collect(Collectors.toList())
          + " still running " + settings.killTimeout().toMillis() + " ms after KILL");
    }
  }

  /** Whether all exited within {@code patience}; an orphan nobody reaps (no init) counts once a zombie. */
  private static boolean allExited(List<ProcessHandle> processes, Duration patience) throws InterruptedException {
    try {
      CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
          .get(patience.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return processes.stream().allMatch(process -> ProcFs.isGone(process.pid()));
    }
  }

  /** p11-kit's own escaping of a path in an address: anything but [A-Za-z0-9-_./] as %XX. */
  static String encodeAddressPath(Path path) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : path.toString().getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_./".indexOf(c) >= 0) {
        encoded.append(c);
      } else {
        encoded.append('%').append(String.format("%02X", (int) c));
      }
    }
    return encoded.toString();
  }
}
