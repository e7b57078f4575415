package io.vcmctl.vcm;

import io.vcmctl.persistence.CborSerializable;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The device port: where the orchestrator meets the module that runs a VCM. A provider's own
 * driver implements it; {@link SimulatedRuntime} runs in process, and the {@code softhsm}
 * runtime makes every VCM a real PKCS#11 token.
 *
 * <p>Every call has an outcome. A lifecycle command is recorded only once its call completed
 * normally; a call that completes exceptionally is the device refusing or failing, and its
 * message is the one line shown to the user. Calls must be idempotent (starting a running VCM,
 * stopping a stopped one, destroying a destroyed one succeed), because after a crash the
 * orchestrator may repeat a call whose outcome it never recorded, and settles the journal to
 * what {@link #status} reports.
 */
public interface VcmRuntime extends AutoCloseable {

  /** A short name for logs and {@code serve}'s start-up line, such as {@code simulated}. */
  String name();

  /** Makes the VCM's storage (its token, its directory). */
  CompletionStage<Void> create(UUID vcm);

  CompletionStage<Void> start(UUID vcm);

  /** Stops the VCM; {@code force} ends it at once instead of letting it finish what it does. */
  CompletionStage<Void> stop(UUID vcm, boolean force);

  /** Destroys the VCM's secrets and data; irreversible. */
  CompletionStage<Void> destroy(UUID vcm);

  /** What the device reports about the VCM now. */
  CompletionStage<DeviceStatus> status(UUID vcm);

  /**
   * Current resource use. A driver asks the device by uuid; the simulation computes the figures
   * from what the tenant has done, which the view carries.
   */
  CompletionStage<Usage> measure(VcmView vcm);

  /** How the enrolled tenant reaches the VCM's PKCS#11 module, where the runtime provides one. */
  default Optional<Pkcs11Access> pkcs11(UUID vcm) {
    return Optional.empty();
  }

  /**
   * Whether tenant data is simulated ({@code hsmadmin vcm data write}); a real module stores what
   * the tenant writes through its own interface instead.
   */
  default boolean simulatesTenantData() {
    return false;
  }

  /** Releases what the runtime holds in this process (threads, connections); the VCMs keep running. */
  @Override
  default void close() {}

  /** What a device says of one VCM. */
  enum DeviceStatus {
    /** The device has no such VCM (never created, or destroyed). */
    ABSENT,
    /** Created and not running. */
    STOPPED,
    /** Running and reachable by its tenant. */
    RUNNING,
    /** The device cannot tell (the simulation, for a VCM it has not seen since it started): the journal stands. */
    UNKNOWN
  }

  /**
   * @param serverAddress the value of {@code P11_KIT_SERVER_ADDRESS} that reaches the module
   * @param clientModule the PKCS#11 module a tenant's application loads to use it
   */
  record Pkcs11Access(String serverAddress, String clientModule) implements CborSerializable {}
}
