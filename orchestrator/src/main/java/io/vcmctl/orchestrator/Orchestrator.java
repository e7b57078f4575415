package io.vcmctl.orchestrator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vcmctl.hsm.EnvStats;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.HsmEnvironment;
import io.vcmctl.hsm.HsmInfo;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.orchestrator.audit.AuditExport;
import io.vcmctl.persistence.DataDirectory;
import io.vcmctl.persistence.audit.ChainedEvent;
import io.vcmctl.persistence.audit.JournalEntries;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.stats.StatsSettings;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmEntity;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmSettings;
import io.vcmctl.vcm.VcmView;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestCheck;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The Java facade for embedders: every HSM and VCM operation as a {@link CompletionStage}
 * with a typed result. A refused command completes exceptionally with a {@link Refusal},
 * whose {@link Refusal#code()} says which rule and whose message is the one line to show.
 *
 * <p>Commands that name a VCM find its HSM themselves; commands that name an HSM take its ESN,
 * which may be {@code null} when the process runs exactly one.
 */
public final class Orchestrator implements AutoCloseable {

  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  private final ActorSystem<?> system;
  private final Placement placement;
  private final Duration timeout;
  private final String readJournal;
  private final DataDirectory dataDir;
  private final Path moduleKeys;
  private final String runtime;
  private final boolean ownsSystem;
  private final DiskReserve disk;

  Orchestrator(ActorSystem<?> system, Placement placement, DataDirectory dataDir, String runtime, boolean ownsSystem) {
    this(system, placement, dataDir, dataDir.resolve("hsm"), runtime, ownsSystem);
  }

  /** @param moduleKeys the directory holding each HSM's module key directory, by ESN (a cluster's shared one) */
  Orchestrator(ActorSystem<?> system, Placement placement, DataDirectory dataDir, Path moduleKeys,
      String runtime, boolean ownsSystem) {
    this.system = system;
    this.placement = placement;
    this.dataDir = dataDir;
    this.moduleKeys = moduleKeys;
    this.runtime = runtime;
    this.ownsSystem = ownsSystem;
    Config c = system.settings().config().getConfig("vcmctl.orchestrator");
    this.timeout = c.getDuration("ask-timeout");
    this.readJournal = c.getString("read-journal");
    this.disk = DiskReserve.create(dataDir.root(), c);
  }

  /** The configuration of a process on this data directory: the embedded LevelDB store under it. */
  public static Config config(OrchestratorConfig config) {
    return overrides(config).withFallback(ConfigFactory.load());
  }

  /** What {@code config} sets over any configuration: the data directory, the stats delay, the runtime. */
  public static Config overrides(OrchestratorConfig config) {
    Config overrides = config.statsDelay() == null ? ConfigFactory.empty()
        : ConfigFactory.parseString("vcmctl.stats.delay = " + config.statsDelay().toMillis() + "ms");
    if (config.runtimeChoice() != null) {
      overrides = overrides.withValue("vcmctl.runtime", ConfigValueFactory.fromAnyRef(config.runtimeChoice()));
    }
    return DataDirectory.of(config.dataDir()).create().config().withFallback(overrides);
  }

  /** Starts the actor system and every HSM of the data directory; returns once they are spawned. */
  public static Orchestrator start(OrchestratorConfig config) {
    return start(config, config(config));
  }

  public static Orchestrator start(OrchestratorConfig config, Config effective) {
    DataDirectory dir = DataDirectory.of(config.dataDir()).create();
    List<String> esns = Esns.resolve(dir, config.esns());
    HsmAssembly assembly = HsmAssembly.of(config, effective, dir.resolve("hsm"));
    StatsSettings stats = assembly.stats();
    Runtimes.Chosen chosen = assembly.chosen();
    VcmRuntime runtime = assembly.runtime();
    Function<String, HsmEnvironment> environments = assembly.environments();
    ActorSystem<Guardian.Command> system = ActorSystem.create(Guardian.create(esns, environments, stats),
        "vcm-orchestrator", effective);
    if (config.runtime() == null) {
      // A runtime made here is released with the system; an embedder's own stays theirs.
      system.getWhenTerminated().thenRun(runtime::close);
    }
    try {
      Map<String, Guardian.Hsm> hsms = AskPattern.<Guardian.Command, Map<String, Guardian.Hsm>>ask(system,
          Guardian.GetHsms::new, Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new Orchestrator(system, new LocalPlacement(hsms, esns), dir, chosen.description(), true);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the orchestrator did not start: " + e.getMessage(), e);
    }
  }

  public ActorSystem<?> system() {
    return system;
  }

  public DataDirectory dataDirectory() {
    return dataDir;
  }

  /** Which runtime the VCMs run on, in one line, such as {@code runtime: simulated (…)}. */
  public String runtime() {
    return runtime;
  }

  /**
   * The ESNs of the HSMs this process runs, in the order they were first run; in a cluster, those
   * of the whole fleet (as last read from the shared journal).
   */
  public List<String> esns() {
    return placement.esns();
  }

  /**
   * The ESNs as {@link #esns()}, but in a cluster read again from the shared journal, so that an
   * HSM another node added is listed at once.
   */
  public CompletionStage<List<String>> fleet() {
    return placement.refresh();
  }

  /**
   * The actor of HSM {@code esn} ({@code null} when there is exactly one), for an embedder that sends
   * {@link HsmEntity.Command}s itself with {@code ask} or {@code askWithStatus}: the same rules and
   * refusals as the methods below (docs/embedding.md).
   *
   * @throws Refusal when no such HSM runs here, or {@code esn} is not an ESN
   */
  public RecipientRef<HsmEntity.Command> hsmRef(String esn) {
    try {
      return placement.entity(resolve(esn).toCompletableFuture().join());
    } catch (CompletionException e) {
      throw (Refusal) e.getCause();
    }
  }

  /** The ESN of the HSM whose entity this is, such as the one a stats poller's event names. */
  public Optional<String> esnOf(ActorRef<HsmEntity.Command> entity) {
    return placement.esnOf(entity);
  }

  /**
   * Stops the actor system that {@link #start} made, and waits for it. An orchestrator spawned into
   * an embedder's own system ({@link EmbeddedOrchestrator}) leaves that system alone: its HSMs stop
   * with the actor that spawned them.
   */
  @Override
  public void close() {
    if (!ownsSystem) {
      return;
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the orchestrator did not stop cleanly: " + e.getMessage(), e);
    }
  }

  // ---- HSM ---------------------------------------------------------------------------------

  public CompletionStage<HsmInfo> info(String esn) {
    return hsm(esn, HsmEntity.GetInfo::new);
  }

  /**
   * Adds an HSM to a cluster's fleet: it starts on the node that sharding picks and records its
   * identity in the shared journal, so every node lists it from then on. Adding one that is
   * already in the fleet answers its info and changes nothing.
   */
  public CompletionStage<HsmInfo> addHsm(String esn) {
    String canonical;
    try {
      canonical = Esns.canonical(esn);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new Refusal(Code.INVALID_ARGUMENT, e.getMessage()));
    }
    if (!placement.growable()) {
      return CompletableFuture.failedFuture(new Refusal(Code.INVALID_ARGUMENT, "this orchestrator runs its HSMs"
          + " on its own; add HSM " + canonical + " by restarting serve with --esn " + canonical));
    }
    return this.<HsmInfo>ask(canonical, HsmEntity.GetInfo::new)
        .thenCompose(info -> placement.refresh().thenApply(all -> info));
  }

  public CompletionStage<EnvStats> envStats(String esn) {
    return hsm(esn, HsmEntity.GetEnvStats::new);
  }

  public CompletionStage<HsmInfo> applyLicence(String esn, byte[] licence, Principal by) {
    return writing(() -> hsm(esn, r -> new HsmEntity.ApplyLicence(licence, by, r)));
  }

  public CompletionStage<HsmInfo> setNetwork(String esn, Network network, Principal by) {
    return writing(() -> hsm(esn, r -> new HsmEntity.SetNetwork(network, by, r)));
  }

  /** A forced reset: it stops VCMs in use too. */
  public CompletionStage<HsmEntity.ResetOutcome> reset(String esn, Principal by) {
    return reset(esn, true, by);
  }

  /** A reset that, unless forced, is refused while a tenant uses one of the VCMs it would stop (R5). */
  public CompletionStage<HsmEntity.ResetOutcome> reset(String esn, boolean force, Principal by) {
    return writing(() -> hsm(esn, r -> new HsmEntity.Reset(by, force, r)));
  }

  public CompletionStage<HsmInfo> setTime(String esn, Instant moduleTime, Principal by) {
    return writing(() -> hsm(esn, r -> new HsmEntity.SetTime(moduleTime, by, r)));
  }

  public CompletionStage<HsmEntity.CreatedVcm> createVcm(String esn, byte[] request, ProviderChoices choices,
      Principal by) {
    return writing(() -> this.<HsmEntity.CreatedVcm>hsm(esn, r -> new HsmEntity.CreateVcm(request, choices, by, r)))
        .thenCompose(created -> placement.admitted(created.view().uuid(), created.esn())
            // The VCM exists either way; a VCM missing from the directory is found by asking the HSMs.
            .handle((done, failure) -> created));
  }

  public CompletionStage<List<VcmView>> vcms(String esn) {
    return hsm(esn, HsmEntity.ListVcms::new);
  }

  public CompletionStage<HsmEntity.StoredStats> stats(String esn) {
    return hsm(esn, HsmEntity.GetStats::new);
  }

  public CompletionStage<StatsPoller.Status> pollerStatus(String esn) {
    return resolve(esn).thenCompose(h -> placement.poller(h).thenCompose(poller ->
        Asks.<StatsPoller.Command, StatsPoller.Status>ask(system, poller, StatsPoller.GetStatus::new, timeout,
            "the stats poller of HSM " + h)));
  }

  // ---- VCM ---------------------------------------------------------------------------------

  public CompletionStage<VcmView> vcm(UUID uuid) {
    return locate(uuid).thenCompose(h -> ask(h, r -> new HsmEntity.GetVcm(uuid, r)));
  }

  public CompletionStage<VcmView> startVcm(UUID uuid, byte[] request, Principal by) {
    return writing(() -> onVcm(uuid, r -> new HsmEntity.StartVcm(uuid, request, by, r)));
  }

  public CompletionStage<VcmView> stopVcm(UUID uuid, boolean force, Principal by) {
    return writing(() -> onVcm(uuid, r -> new HsmEntity.StopVcm(uuid, force, by, r)));
  }

  public CompletionStage<VcmView> deleteVcm(UUID uuid, boolean force, Principal by) {
    return writing(() -> onVcm(uuid, r -> new HsmEntity.DeleteVcm(uuid, force, by, r)));
  }

  public CompletionStage<HsmEntity.PropertySet> setProperty(UUID uuid, byte[] request, String property, String value,
      Principal by) {
    return writing(() -> onVcm(uuid, r -> new HsmEntity.SetVcmProperty(uuid, request, property, value, by, r)));
  }

  public CompletionStage<VcmView> tenantAction(UUID uuid, Principal tenant, VcmEntity.Action action) {
    return writing(() -> onVcm(uuid, r -> new HsmEntity.TenantAction(uuid, tenant, action, r)));
  }

  /** How the VCM's enrolled tenant reaches its PKCS#11 module; anyone else is refused. */
  public CompletionStage<VcmRuntime.Pkcs11Access> pkcs11(UUID uuid, Principal tenant) {
    return onVcm(uuid, r -> new HsmEntity.GetPkcs11(uuid, tenant, r));
  }

  /** Simulated tenant data written into the VCM (the simulated runtime's stand-in for real use). */
  public CompletionStage<VcmView> writeData(UUID uuid, Principal tenant, long bytes) {
    return writing(() -> onVcm(uuid, r -> new HsmEntity.WriteData(uuid, tenant, bytes, r)));
  }

  /** What {@link #checkRequest} found, and on which HSM's module clock. */
  public record CheckedRequest(UUID uuid, String esn, RequestCheck.Verdict verdict) {}

  /**
   * Whether the VCM would accept this start or properties request now (its current
   * {@code k_tenant_req}, its HSM's module time), or the refusal it would give; changes nothing.
   */
  public CompletionStage<CheckedRequest> checkRequest(UUID uuid, byte[] request) {
    VcmSettings settings = VcmSettings.fromConfig(system.settings().config());
    RequestVerifier verifier = new RequestVerifier(settings.clockSkew(), settings.validityCaps());
    return locate(uuid).thenCompose(esn -> this.<VcmView>ask(esn, r -> new HsmEntity.GetVcm(uuid, r))
        .thenCombine(this.<HsmInfo>ask(esn, HsmEntity.GetInfo::new), (view, info) -> {
          try {
            return new CheckedRequest(uuid, esn, RequestCheck.check(request, uuid,
                PublicKeys.decode(view.properties().kTenantReq()), info.moduleTime(), verifier));
          } catch (RequestException e) {
            throw new IllegalStateException("VCM " + uuid + " holds a k_tenant_req that is not a key", e);
          }
        }));
  }

  /** Every event of a VCM, in order, from the journal; deleted VCMs keep theirs. */
  public CompletionStage<List<HistoryEntry>> history(UUID uuid) {
    CurrentEventsByPersistenceIdQuery journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournal);
    return journal.currentEventsByPersistenceId(VcmEntity.persistenceId(uuid).id(), 0, Long.MAX_VALUE)
        .map(envelope -> entry(envelope.sequenceNr(), (VcmEntity.Event) ChainedEvent.unwrap(envelope.event())))
        .runWith(Sink.seq(), system)
        .thenApply(entries -> {
          if (entries.isEmpty()) {
            throw new Refusal(Code.NOT_FOUND, "no VCM " + uuid + " has ever existed here");
          }
          return List.copyOf(entries);
        });
  }

  /** The VCMs deleted from an HSM, in the order they were deleted; their events stay in the journal for audit. */
  public CompletionStage<List<DeletedVcm>> deletedVcms(String esn) {
    CurrentEventsByPersistenceIdQuery journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournal);
    return resolve(esn).thenCompose(h -> journal
            .currentEventsByPersistenceId(HsmEntity.persistenceId(h).id(), 0, Long.MAX_VALUE)
            .map(envelope -> ChainedEvent.unwrap(envelope.event()))
            .filter(event -> event instanceof HsmEntity.VcmRemoved)
            .mapAsync(1, event -> {
              UUID uuid = ((HsmEntity.VcmRemoved) event).uuid();
              return history(uuid).thenApply(entries -> DeletedVcm.of(uuid, entries));
            })
            .runWith(Sink.seq(), system))
        .thenApply(List::copyOf);
  }

  /** The HSM's own events in order (licences, networking, resets, clock, VCMs admitted and removed). */
  public CompletionStage<List<HistoryEntry>> hsmHistory(String esn) {
    return resolve(esn).thenCompose(h -> JournalEntries.read(system, HsmEntity.persistenceId(h).id(), 0,
        Long.MAX_VALUE)).thenApply(stored -> stored.stream().map(e -> {
          HsmEntity.Event event = (HsmEntity.Event) e.event();
          ObjectNode details = JSON.valueToTree(event);
          details.remove("meta");
          return new HistoryEntry(e.seq(), event.meta().at(), event.getClass().getSimpleName(), event.meta().by(),
              event.meta().requestDigest(), details.toString());
        }).toList());
  }

  /**
   * The HSM's audit export (docs/audit.md): every entry of its chains, closed by a checkpoint
   * signed now, which the HSM's own chain then records.
   */
  public CompletionStage<List<ObjectNode>> auditExport(String esn, Principal by) {
    return resolve(esn).thenCompose(h -> AuditExport.of(system, h, moduleKeys.resolve(h),
        Instant.now()).thenCompose(records -> {
          ObjectNode checkpoint = records.get(records.size() - 1);
          return this.<Done>ask(h, r -> new HsmEntity.RecordAuditExport(AuditExport.digest(checkpoint),
              checkpoint.path("entries").asLong(), by, r)).thenApply(done -> records);
        }));
  }

  private static HistoryEntry entry(long sequenceNr, VcmEntity.Event event) {
    ObjectNode details = JSON.valueToTree(event);
    details.remove("vcm");
    details.remove("meta");
    return new HistoryEntry(sequenceNr, event.meta().at(), event.getClass().getSimpleName(), event.meta().by(),
        event.meta().requestDigest(), details.toString());
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private CompletionStage<String> resolve(String esn) {
    List<String> esns = placement.esns();
    if (esn == null) {
      if (esns.size() == 1) {
        return CompletableFuture.completedFuture(esns.get(0));
      }
      return CompletableFuture.failedFuture(new Refusal(Code.INVALID_ARGUMENT,
          "this orchestrator runs " + esns.size() + " HSMs (" + String.join(", ", esns) + "); name one with --esn"));
    }
    String canonical;
    try {
      canonical = Esns.canonical(esn);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new Refusal(Code.INVALID_ARGUMENT, e.getMessage()));
    }
    if (esns.contains(canonical)) {
      return CompletableFuture.completedFuture(canonical);
    }
    // A cluster's fleet may have grown on another node since this one last looked.
    return placement.refresh().thenApply(now -> {
      if (!now.contains(canonical)) {
        throw new Refusal(Code.NOT_FOUND, "no HSM " + canonical + " here; this orchestrator runs "
            + String.join(", ", now));
      }
      return canonical;
    });
  }

  /**
   * The HSM that holds a VCM: with one HSM it is that one; otherwise the one the directory names
   * (in a cluster), or else the one that knows it.
   */
  private CompletionStage<String> locate(UUID uuid) {
    List<String> esns = placement.esns();
    if (esns.size() == 1) {
      return CompletableFuture.completedFuture(esns.get(0));
    }
    return placement.home(uuid).thenCompose(home -> home.isPresent()
        ? CompletableFuture.completedFuture(home.get()) : askEveryHsm(uuid));
  }

  private CompletionStage<String> askEveryHsm(UUID uuid) {
    List<CompletableFuture<Optional<String>>> asks = new ArrayList<>();
    for (String esn : placement.esns()) {
      asks.add(this.<VcmView>ask(esn, r -> new HsmEntity.GetVcm(uuid, r))
          .handle((view, failure) -> Optional.ofNullable(view == null ? null : esn)).toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenCompose(x -> {
      String found = asks.stream().map(CompletableFuture::join).flatMap(Optional::stream).findFirst()
          .orElseThrow(() -> new Refusal(Code.NOT_FOUND, "no VCM " + uuid + " on any HSM here; list VCMs with vcmadmin show"));
      return placement.admitted(uuid, found).handle((done, failure) -> found);
    });
  }

  /** A command that records something: refused at once while the disk is below its reserve. */
  private <T> CompletionStage<T> writing(Supplier<CompletionStage<T>> command) {
    return disk.check().<CompletionStage<T>>map(CompletableFuture::failedFuture).orElseGet(command);
  }

  private <T> CompletionStage<T> onVcm(UUID uuid, Function<ActorRef<StatusReply<T>>, HsmEntity.Command> command) {
    return locate(uuid).thenCompose(h -> ask(h, command));
  }

  private <T> CompletionStage<T> hsm(String esn, Function<ActorRef<StatusReply<T>>, HsmEntity.Command> command) {
    return resolve(esn).thenCompose(h -> ask(h, command));
  }

  private <T> CompletionStage<T> ask(String esn, Function<ActorRef<StatusReply<T>>, HsmEntity.Command> command) {
    return Asks.<HsmEntity.Command, StatusReply<T>>ask(system, placement.entity(esn), command, timeout, "HSM " + esn)
        .thenApply(reply -> {
          if (reply.isError()) {
            Throwable error = reply.getError();
            throw error instanceof Refusal ? (Refusal) error : new Refusal(Code.UNAVAILABLE, error.getMessage());
          }
          return reply.getValue();
        });
  }
}
