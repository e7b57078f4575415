package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;

/**
 * What the provider decides at create instead of the tenant's request: each field {@code null}
 * leaves the request's value (or the default) in place. restrict_startup is absent on purpose:
 * only the tenant can ask for it.
 */
public record ProviderChoices(String name, Boolean autostart, Boolean serialCardreader, String ipAddress,
    String features) implements CborSerializable {

  public static final ProviderChoices NONE = new ProviderChoices(null, null, null, null, null);
}
