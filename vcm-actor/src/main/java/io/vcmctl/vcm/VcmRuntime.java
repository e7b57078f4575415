package io.vcmctl.vcm;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The port to where VCMs actually run. A device driver implements it for real hardware; the
 * default {@link SimulatedRuntime} runs in process. Calls are made after the corresponding
 * event is persisted, so the journal, not the runtime, is the record of what happened.
 */
public interface VcmRuntime {

  CompletionStage<Void> start(UUID vcm);

  CompletionStage<Void> stop(UUID vcm, boolean force);

  /** Destroys the VCM's secrets and data; irreversible. */
  CompletionStage<Void> destroy(UUID vcm);

  /**
   * Current memory and disk use. A driver asks the device by uuid; the simulation computes the
   * figures from what the tenant has done, which the view carries.
   */
  CompletionStage<Usage> measure(VcmView vcm);
}
