/**
 * The VCM. Public API for embedders: {@link io.vcmctl.vcm.VcmEntity}'s events and
 * {@code Action}, {@link io.vcmctl.vcm.VcmView}, {@link io.vcmctl.vcm.VcmStatus},
 * {@link io.vcmctl.vcm.VcmProperties}, {@link io.vcmctl.vcm.TenantFacts},
 * {@link io.vcmctl.vcm.Principal}, {@link io.vcmctl.vcm.EventMeta}, {@link io.vcmctl.vcm.Refusal},
 * {@link io.vcmctl.vcm.ModuleClock}, {@link io.vcmctl.vcm.VcmSettings}, {@link io.vcmctl.vcm.Usage},
 * and the runtime SPI {@link io.vcmctl.vcm.VcmRuntime} with its
 * {@link io.vcmctl.vcm.SimulatedRuntime}. Embedders send HSM commands, not VCM commands: the HSM
 * checks the rules that span VCMs first. Every other class here is internal (docs/embedding.md).
 */
package io.vcmctl.vcm;
