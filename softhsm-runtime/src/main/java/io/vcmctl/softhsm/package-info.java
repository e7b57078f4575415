/**
 * The {@code softhsm} VCM runtime: chosen by configuration ({@code vcmctl.runtime}); embedders
 * may also construct {@link io.vcmctl.softhsm.SoftHsmRuntime} from {@link io.vcmctl.softhsm.SoftHsmSettings}.
 * The rest is internal.
 */
package io.vcmctl.softhsm;
