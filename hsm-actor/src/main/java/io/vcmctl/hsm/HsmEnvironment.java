package io.vcmctl.hsm;

import io.vcmctl.vcm.ModuleClock;
import io.vcmctl.vcm.VcmRuntime;
import io.vcmctl.vcm.VcmSettings;
import java.nio.file.Path;
import java.security.PublicKey;

/**
 * What an HSM entity needs from its host process.
 *
 * @param keyDirectory where the module's private key lives (owner-only), per HSM
 * @param vendorKey the public key that licences must be signed with
 */
public record HsmEnvironment(
    ModuleClock clock,
    VcmRuntime runtime,
    HsmSettings settings,
    VcmSettings vcmSettings,
    Path keyDirectory,
    PublicKey vendorKey) {}
