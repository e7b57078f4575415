/**
 * Persistence settings shared by every module. Public API: {@link io.vcmctl.persistence.DataDirectory}
 * (its {@code config()} points the journal at a data directory), {@link io.vcmctl.persistence.LifecycleTag}
 * and the serialization marker {@link io.vcmctl.persistence.CborSerializable}.
 */
package io.vcmctl.persistence;
