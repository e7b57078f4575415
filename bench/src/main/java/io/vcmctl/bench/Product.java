package io.vcmctl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.hsm.HsmEntity;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.Network;
import io.vcmctl.hsm.ProviderChoices;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Orchestrator;
import io.vcmctl.orchestrator.OrchestratorConfig;
import io.vcmctl.vcm.Principal;
import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestPayload;
import io.vcmctl.vcm.request.SignedRequest;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The product as an embedder drives it: the Java facade over the LevelDB store of one data directory. */
final class Product {

  static final String ESN = "BE4C-0000-0001";
  static final Principal ADMIN = Principal.provider("bench");
  static final KeyPair VENDOR = PublicKeys.generateEd25519();

  /** Benchmarks print one table; the framework's info logs would bury it. */
  static final Config QUIET = ConfigFactory.parseString(
      "pekko.loglevel = WARNING\n"
          + "pekko.stdout-loglevel = WARNING\n"
          + "pekko.log-dead-letters = off\n"
          + "pekko.log-dead-letters-during-shutdown = off\n");

  /** Keeps the poller out of the figures it is not part of; section 4 sets its own delay. */
  static final Duration IDLE_POLLER = Duration.ofHours(1);

  private Product() {}

  static Orchestrator start(Path dir, Duration statsDelay) {
    return start(dir, statsDelay, ConfigFactory.empty());
  }

  /** {@code overrides} win over the product's configuration of this data directory. */
  static Orchestrator start(Path dir, Duration statsDelay, Config overrides) {
    OrchestratorConfig config = OrchestratorConfig.of(dir, VENDOR.getPublic()).withEsns(List.of(ESN))
        .withStatsDelay(statsDelay).withRuntimeChoice("simulated");
    return Orchestrator.start(config, overrides.withFallback(QUIET).withFallback(Orchestrator.config(config)));
  }

  /** A high-speed multi-tenant HSM that may run 1000 VCMs at once, on an IPv4 /16. */
  static void ready(Orchestrator o) {
    await(o.applyLicence(ESN, Licence.of(ESN, true, SpeedRating.HIGH, 1000, List.of(), Instant.now()).sign(VENDOR),
        ADMIN));
    await(o.setNetwork(ESN, Network.ipv4("10.20.0.0/16"), ADMIN));
    await(o.reset(ESN, ADMIN));
  }

  /** A tenant's two keys: sshadmin identity and request signing. */
  record Tenant(KeyPair sshadmin, KeyPair requestKey) {
    static Tenant generate() {
      return new Tenant(PublicKeys.generateEd25519(), PublicKeys.generateEd25519());
    }

    byte[] createRequest(String name) {
      try {
        RequestPayload payload = RequestPayload.create(PublicKeys.encode(sshadmin.getPublic()),
            PublicKeys.encode(requestKey.getPublic()), Map.of("name", name), Instant.now(), Duration.ofHours(24));
        return SignedRequest.sign(payload, requestKey).toFileBytes();
      } catch (RequestException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static List<Tenant> tenants(int n) {
    List<Tenant> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Tenant.generate());
    }
    return out;
  }

  /** One fresh signed create request per tenant (a request is never reused). */
  static List<byte[]> createRequests(List<Tenant> tenants) {
    List<byte[]> out = new ArrayList<>(tenants.size());
    for (int i = 0; i < tenants.size(); i++) {
      out.add(tenants.get(i).createRequest(String.format("vcm-%04d", i)));
    }
    return out;
  }

  /** Sends every create at once and waits for all; the VCMs in request order. */
  static List<UUID> createAll(Orchestrator o, List<byte[]> requests) {
    List<CompletableFuture<HsmEntity.CreatedVcm>> creates = new ArrayList<>(requests.size());
    for (byte[] request : requests) {
      creates.add(o.createVcm(ESN, request, ProviderChoices.NONE, ADMIN).toCompletableFuture());
    }
    List<UUID> out = new ArrayList<>(creates.size());
    for (CompletableFuture<HsmEntity.CreatedVcm> c : creates) {
      out.add(c.join().view().uuid());
    }
    return out;
  }

  static void startAll(Orchestrator o, List<UUID> vcms) {
    CompletableFuture.allOf(vcms.stream().map(u -> o.startVcm(u, null, ADMIN).toCompletableFuture())
        .toArray(CompletableFuture[]::new)).join();
  }

  static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }
}
