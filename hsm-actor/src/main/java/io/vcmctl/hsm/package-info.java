/**
 * The HSM. Public API for embedders: {@link io.vcmctl.hsm.HsmEntity}'s protocol ({@code Command}
 * and its replies) and events, {@link io.vcmctl.hsm.HsmInfo}, {@link io.vcmctl.hsm.EnvStats},
 * {@link io.vcmctl.hsm.Network}, {@link io.vcmctl.hsm.ProviderChoices}, {@link io.vcmctl.hsm.Licence},
 * {@link io.vcmctl.hsm.SpeedRating}, {@link io.vcmctl.hsm.HsmSettings} and
 * {@link io.vcmctl.hsm.HsmEnvironment}. Every other class here is internal, public or not, and
 * may change in any release (docs/embedding.md).
 */
package io.vcmctl.hsm;
