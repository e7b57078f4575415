package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * When each address of a removed VCM was freed. A tenant's clients may still point at a freed
 * address, so it goes to the back of the line: new VCMs get never-used addresses first, then
 * the one freed longest ago.
 */
public record FreedAddresses(Map<String, Instant> at) implements CborSerializable {

  static final FreedAddresses NONE = new FreedAddresses(Map.of());

  public FreedAddresses {
    at = Map.copyOf(at);
  }

  FreedAddresses with(String ip, Instant when) {
    Map<String, Instant> m = new HashMap<>(at);
    m.put(ip, when);
    return new FreedAddresses(m);
  }

  Optional<Instant> freedAt(String ip) {
    return Optional.ofNullable(at.get(ip));
  }

  /** Of the freed addresses that {@code usable} accepts, the one freed longest ago (ties: the lowest text). */
  Optional<String> leastRecent(Predicate<String> usable) {
    return at.entrySet().stream().filter(e -> usable.test(e.getKey()))
        .min(Map.Entry.<String, Instant>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey);
  }
}
