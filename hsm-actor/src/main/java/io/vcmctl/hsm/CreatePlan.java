package io.vcmctl.hsm;

import static io.vcmctl.hsm.HsmRules.require;

import io.vcmctl.hsm.HsmEntity.Running;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmProperties;
import io.vcmctl.vcm.VcmProperty;
import io.vcmctl.vcm.VcmRules;
import io.vcmctl.vcm.request.RequestPayload;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.util.List;

/**
 * The properties a new VCM gets: what the tenant's verified request asks for, with the
 * provider's choices and the HSM's defaults applied, checked against every rule a create must
 * pass (the tenant's consent to autostart, R1, R2, licensed features, addresses).
 */
final class CreatePlan {

  private CreatePlan() {}

  /**
   * @throws Refusal naming the rule the result would break
   */
  static VcmProperties properties(Running s, Fleet fleet, VerifiedRequest request, ProviderChoices choices) {
    RequestPayload payload = request.payload();
    boolean requestedAutostart = asked(payload, VcmProperty.AUTOSTART);
    require(HsmRules.autostartConsent(requestedAutostart, choices.autostart()));
    boolean autostart = choices.autostart() != null ? choices.autostart() : requestedAutostart;
    boolean restrict = asked(payload, VcmProperty.RESTRICT_STARTUP);
    boolean serial = choices.serialCardreader() != null ? choices.serialCardreader()
        : asked(payload, VcmProperty.SERIAL_CARDREADER);
    require(VcmRules.startupExclusion(autostart, restrict));
    List<String> features = s.licensing().features();
    String askedFeatures = choices.features() != null ? choices.features()
        : payload.requested(VcmProperty.FEATURES).orElse(null);
    if (askedFeatures != null) {
      features = HsmRules.features(askedFeatures);
      require(HsmRules.licensedFeatures(s.licensing(), features));
    }
    String name = name(choices.name() != null ? choices.name() : payload.requested(VcmProperty.NAME).orElse(null));
    if (serial) {
      require(HsmRules.serialCardreader(fleet, null));
    }
    String ip = choices.ipAddress() != null
        ? AddressPlan.check(s.network(), s.pendingNetwork(), fleet.usedAddresses(null), choices.ipAddress())
        : AddressPlan.assign(s.network(), s.pendingNetwork(), fleet.usedAddresses(null), s.freed());
    return new VcmProperties(autostart, restrict, serial, features, name, ip, payload.requestKey());
  }

  private static boolean asked(RequestPayload payload, VcmProperty property) {
    return payload.requested(property).map(Boolean::parseBoolean).orElse(false);
  }

  private static String name(String given) {
    if (given == null || given.isBlank()) {
      throw new Refusal(Code.INVALID_ARGUMENT, "the VCM needs a name: give NAME on the command line");
    }
    try {
      return VcmProperties.canonical(VcmProperty.NAME, given);
    } catch (IllegalArgumentException e) {
      throw new Refusal(Code.INVALID_ARGUMENT, e.getMessage());
    }
  }
}
