package io.vcmctl.orchestrator;

import com.typesafe.config.Config;
import io.vcmctl.orchestrator.access.AccessControl;
import io.vcmctl.orchestrator.access.DbOperatorStore;
import io.vcmctl.orchestrator.cluster.ClusterSettings;
import io.vcmctl.orchestrator.http.HttpApi;
import io.vcmctl.orchestrator.http.JsonParsingErrorHandler;
import io.vcmctl.orchestrator.http.OperatorAuth;
import io.vcmctl.orchestrator.http.OpsRoutes;
import io.vcmctl.orchestrator.http.RequestDeadline;
import io.vcmctl.orchestrator.http.TenantAuth;
import io.vcmctl.orchestrator.ops.Metrics;
import io.vcmctl.orchestrator.ops.OpsSettings;
import io.vcmctl.orchestrator.ops.Readiness;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.vcm.request.KeyFiles;
import io.vcmctl.vcm.request.RequestException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * {@code orchestrator serve}: the orchestrator on its data directory plus the HTTP API, with
 * the bootstrap admin's token kept owner-only across restarts. It prints {@code listening on URL} only once every HSM
 * has recovered and the port accepts calls.
 *
 * <p>Stopping (by {@link #stop()}, or SIGTERM through Pekko's coordinated shutdown, whose JVM
 * hook is on by default) unbinds the port, lets calls in flight finish for
 * {@code vcmctl.orchestrator.http.shutdown-deadline}, then terminates the actor system, which
 * closes the journal.
 */
public final class Daemon {

  private static final String LOCK_FILE = "orchestrator.lock";
  /** Everything a data directory may hold at its top level. */
  private static final Set<String> DATA_DIRECTORY_NAMES = Set.of("journal", "snapshots", "hsm", "esns", "vcms",
      "demo-vendor", AccessControl.TOKEN_FILE, AccessControl.OPERATORS_FILE, AccessControl.LOG_FILE, LOCK_FILE);

  private final Orchestrator orchestrator;
  private final DirectoryLock lock;
  private final String url;
  private final int port;
  private final Path tokenFile;

  private Daemon(Orchestrator orchestrator, DirectoryLock lock, String url, int port, Path tokenFile) {
    this.orchestrator = orchestrator;
    this.lock = lock;
    this.url = url;
    this.port = port;
    this.tokenFile = tokenFile;
  }

  /**
   * Starts the orchestrator on {@code dataDir} and serves the API on {@code port}.
   *
   * @param port 0 picks a free port
   * @param esns the HSMs to run; empty or {@code null} means those of the data directory (or one new one)
   * @param statsDelay the stats poller's delay; {@code null} for the configured one
   * @param vendorPublicKey the PEM public key licences must be signed with; {@code null} trusts
   *     the {@link DemoVendor demo vendor key} and says so on {@code out}
   * @throws IllegalArgumentException bad input (port out of range, unusable key file, bad ESN)
   * @throws IllegalStateException the data directory is in use or unusable, the port is taken
   */
  public static Daemon start(Path dataDir, int port, List<String> esns, Duration statsDelay, Path vendorPublicKey,
      PrintStream out) {
    return start(dataDir, port, esns, statsDelay, vendorPublicKey, null, out);
  }

  /**
   * @param runtime {@code auto}, {@code simulated}, {@code softhsm} or a runtime's class name;
   *     {@code null} for {@code vcmctl.runtime}
   */
  public static Daemon start(Path dataDir, int port, List<String> esns, Duration statsDelay, Path vendorPublicKey,
      String runtime, PrintStream out) {
    return start(dataDir, port, esns, statsDelay, vendorPublicKey, runtime, Listener.CONFIGURED, out);
  }

  /** One process on its own data directory, listening as {@code listener} says. */
  public static Daemon start(Path dataDir, int port, List<String> esns, Duration statsDelay, Path vendorPublicKey,
      String runtime, Listener listener, PrintStream out) {
    return start(dataDir, port, esns, statsDelay, vendorPublicKey, runtime, listener, null, out);
  }

  /**
   * @param listener the address to bind and TLS; refused (before anything starts) when it
   *     would serve tokens in clear beyond loopback
   * @param configFile HOCON over the modules' reference.conf ({@code orchestrator serve --config});
   *     with {@code vcmctl.mode = cluster} this process is one node of a cluster; {@code null} for none
   */
  public static Daemon start(Path dataDir, int port, List<String> esns, Duration statsDelay, Path vendorPublicKey,
      String runtime, Listener listener, Path configFile, PrintStream out) {
    portProblem(port).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
    // Checked against the configuration's interface too, before the journal is opened.
    String host = listener.bind() != null ? listener.bind()
        : com.typesafe.config.ConfigFactory.load().getString("vcmctl.orchestrator.http.interface");
    SSLContext tls = listener.check(host);
    // Logging set up on this thread first: otherwise the actor system's threads race to
    // initialise it and SLF4J reports the calls it had to replay.
    org.slf4j.LoggerFactory.getILoggerFactory();
    PublicKey vendorKey = vendorPublicKey == null ? null : readVendorKey(vendorPublicKey);
    refuseForeignDirectory(dataDir);
    DataDirectory dir;
    try {
      dir = DataDirectory.of(dataDir).create();
    } catch (UncheckedIOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    DirectoryLock lock = DirectoryLock.acquire(dir);
    try {
      if (vendorKey == null) {
        vendorKey = trustDemoVendor(dir, out);
      }
      OrchestratorConfig config = OrchestratorConfig.of(dir.root(), vendorKey)
          .withEsns(esns == null ? List.of() : esns).withStatsDelay(statsDelay).withRuntimeChoice(runtime);
      ClusterSettings settings = configFile == null ? null
          : ClusterSettings.load(configFile, Orchestrator.overrides(config));
      Orchestrator orchestrator = settings == null ? Orchestrator.start(config)
          : settings.cluster() ? ClusterNode.start(config, settings) : Orchestrator.start(config, settings.config());
      // Whoever terminates the system (stop, a signal, an embedder) frees the directory.
      orchestrator.system().getWhenTerminated().whenComplete((done, failure) -> lock.release());
      try {
        // A cluster's nodes share the operators (in the database) and the bootstrap admin's token
        // file; one process keeps both in DIR.
        AccessControl access = settings != null && settings.cluster() ? sharedAccess(orchestrator, dir, settings)
            : AccessControl.open(dir, out, orchestrator.system().settings().config());
        out.println(orchestrator.runtime());
        out.flush();
        if (settings == null || !settings.cluster()) {
          // A node waits for the HSMs its configuration names instead (ClusterNode): the rest
          // of a fleet runs where sharding puts it and may be handing over right now.
          awaitRecovery(orchestrator, dir);
        }
        return serve(orchestrator, access, lock, dir, host, port, tls, out);
      } catch (RuntimeException e) {
        orchestrator.close();
        throw e;
      }
    } catch (UncheckedIOException e) {
      lock.release();
      throw new IllegalStateException(e.getMessage(), e);
    } catch (RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  private static AccessControl sharedAccess(Orchestrator orchestrator, DataDirectory dir, ClusterSettings settings) {
    DbOperatorStore store = DbOperatorStore.open(settings);
    orchestrator.system().getWhenTerminated().whenComplete((done, failure) -> store.close());
    return AccessControl.openShared(dir, store, settings.adminTokenFile(), orchestrator.system().settings().config());
  }

  /**
   * A directory that holds other things is never taken over: {@link DataDirectory#create()}
   * would make it owner-only and mix the journal into it. A data directory of any version holds
   * {@code journal/}; one that holds only names a data directory uses was begun by a start that
   * did not finish.
   */
  private static void refuseForeignDirectory(Path dataDir) {
    if (!Files.isDirectory(dataDir) || Files.isDirectory(dataDir.resolve("journal"))) {
      return;
    }
    List<String> foreign;
    try (Stream<Path> entries = Files.list(dataDir)) {
      foreign = entries.filter(e -> !DATA_DIRECTORY_NAMES.contains(e.getFileName().toString()))
          .map(e -> e.getFileName() + (Files.isDirectory(e) ? "/" : "")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read data directory " + dataDir + ": " + e.getMessage(), e);
    }
    if (!foreign.isEmpty()) {
      String shown = String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
          + (foreign.size() > 5 ? " and " + (foreign.size() - 5) + " more" : "");
      throw new IllegalStateException(dataDir + " is not an orchestrator data directory and not empty (it holds "
          + shown + "); choose a new or empty directory, or the data directory of an earlier serve");
    }
  }

  /** What is wrong with a port number, if anything. */
  public static java.util.Optional<String> portProblem(int port) {
    return port < 0 || port > 65535
        ? java.util.Optional.of("port " + port + " is not between 1 and 65535 (0 picks a free one)")
        : java.util.Optional.empty();
  }

  private static Daemon serve(Orchestrator orchestrator, AccessControl access, DirectoryLock lock, DataDirectory dir,
      String host, int port, SSLContext tls, PrintStream out) {
    Config config = orchestrator.system().settings().config();
    Config http = config.getConfig("vcmctl.orchestrator.http");
    OperatorAuth auth = new OperatorAuth(access,
        orchestrator.system().dispatchers().lookup(DispatcherSelector.blocking()));
    HttpApi api = new HttpApi(orchestrator, auth, TenantAuth.fromConfig(config), http.getBytes("max-body"),
        http.getDuration("body-timeout"));
    OpsSettings opsSettings = OpsSettings.fromConfig(config);
    Metrics metrics = Metrics.start(orchestrator, opsSettings);
    OpsRoutes ops = new OpsRoutes(orchestrator, auth, metrics,
        new Readiness(orchestrator, opsSettings, Clock.systemUTC()), opsSettings);
    ServerBinding binding;
    try {
      ServerBuilder server = Http.get(orchestrator.system()).newServerAt(host, port);
      if (tls != null) {
        server = server.enableHttps(ConnectionContext.httpsServer(tls));
      }
      binding = server
          .adaptSettings(s -> s.withParsingErrorHandler(JsonParsingErrorHandler.class.getName()))
          .bindFlow(RequestDeadline.around(http.getDuration("request-head-timeout"),
              ops.wrap(api.route()).flow(orchestrator.system())))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String detail = String.valueOf(cause.getMessage());
      throw new IllegalStateException(detail.contains("in use")
          ? "port " + port + " on " + host + " is already in use; stop what uses it or choose another port"
          : "cannot listen on " + host + ":" + port + ": " + detail.replaceAll("\\s+", " "), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding " + host + ":" + port, e);
    }
    binding.addToCoordinatedShutdown(http.getDuration("shutdown-deadline"), orchestrator.system());
    Path tokenFile = auth.access().adminTokenFile();
    int bound = binding.localAddress().getPort();
    Daemon daemon = new Daemon(orchestrator, lock, (tls != null ? "https://" : "http://") + urlHost(host) + ":" + bound,
        bound, tokenFile);
    out.println("listening on " + daemon.url());
    out.flush();
    return daemon;
  }

  /** Waits until every HSM has replayed its journal, so "listening" means commands are answered. */
  private static void awaitRecovery(Orchestrator orchestrator, DataDirectory dir) {
    for (String esn : orchestrator.esns()) {
      try {
        orchestrator.info(esn).toCompletableFuture().join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new IllegalStateException("HSM " + esn + " did not recover from " + dir + ": " + cause.getMessage(), cause);
      }
    }
  }

  private static PublicKey readVendorKey(Path file) {
    try {
      return KeyFiles.readPublic(file);
    } catch (RequestException e) {
      throw new IllegalArgumentException("cannot use the vendor public key: " + e.getMessage(), e);
    }
  }

  /** Writes the demo vendor's key files into the data directory so the quick start can issue licences. */
  private static PublicKey trustDemoVendor(DataDirectory dir, PrintStream out) {
    KeyPair demo = DemoVendor.keyPair();
    Path keyFile = dir.resolve("demo-vendor").resolve("vendor.key");
    KeyFiles.writePrivate(keyFile, demo.getPrivate());
    KeyFiles.writePublic(dir.resolve("demo-vendor").resolve("vendor.pub"), demo.getPublic());
    out.println("no --vendor-public-key: trusting the demo vendor key; licences signed with " + keyFile
        + " are accepted (not for production)");
    out.flush();
    return demo.getPublic();
  }

  private static String urlHost(String host) {
    if (host.equals("0.0.0.0") || host.equals("::")) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:N}, or {@code https://…} with TLS. */
  public String url() {
    return url;
  }

  public Path tokenFile() {
    return tokenFile;
  }

  public Orchestrator orchestrator() {
    return orchestrator;
  }

  /** Blocks until the daemon has stopped, by {@link #stop()} or by a signal. */
  public void awaitTermination() {
    orchestrator.system().getWhenTerminated().toCompletableFuture().join();
    lock.release();
  }

  /**
   * Unbinds the port, lets calls in flight finish, terminates the actor system and waits for
   * it; the data directory is free for another process when this returns.
   */
  public void stop() {
    orchestrator.close();
    lock.release();
  }

  /**
   * One process per data directory: a second one would never recover the LevelDB journal the
   * first holds, so it is refused at once with a clear message instead.
   */
  private static final class DirectoryLock {
    private final FileChannel channel;

    private DirectoryLock(FileChannel channel) {
      this.channel = channel;
    }

    static DirectoryLock acquire(DataDirectory dir) {
      Path file = dir.resolve(LOCK_FILE);
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new IllegalStateException("cannot open " + file + ": " + e.getMessage(), e);
      }
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      } catch (IOException e) {
        close(channel);
        throw new IllegalStateException("cannot lock " + file + ": " + e.getMessage(), e);
      }
      if (lock == null) {
        close(channel);
        throw new IllegalStateException("another orchestrator is running on " + dir + "; stop it first");
      }
      return new DirectoryLock(channel);
    }

    /** Closing the channel releases the lock. */
    void release() {
      close(channel);
    }

    private static void close(FileChannel channel) {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
