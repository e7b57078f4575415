package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;
import java.util.List;
import java.util.TreeSet;

/**
 * What an HSM's licences add up to, and the limits that follow (SPEC §3): without a
 * multi-tenant licence one VCM can be created and active; with one, a base-speed HSM creates
 * up to 5 and a mid- or high-speed HSM up to 1000, and the licensed active count applies
 * (never above the creatable count).
 */
public record Licensing(boolean multiTenant, SpeedRating speed, int licensedActive, List<String> features)
    implements CborSerializable {

  public static final int BASE_MAX_CREATABLE = 5;
  public static final int HIGHER_MAX_CREATABLE = 1000;

  public Licensing {
    features = List.copyOf(features);
  }

  public static Licensing unlicensed(List<String> baseFeatures) {
    return new Licensing(false, SpeedRating.BASE, 1, baseFeatures);
  }

  public int maxCreatable() {
    if (!multiTenant) {
      return 1;
    }
    return speed == SpeedRating.BASE ? BASE_MAX_CREATABLE : HIGHER_MAX_CREATABLE;
  }

  public int maxActive() {
    return multiTenant ? Math.min(licensedActive, maxCreatable()) : 1;
  }

  /**
   * Licences accumulate: multi-tenancy once granted stays, a speed upgrade only raises the
   * rating, features add up, and the newest multi-tenant licence sets the active count, even
   * below the number running now.
   */
  public Licensing apply(Licence licence) {
    boolean multi = multiTenant || licence.multiTenant();
    SpeedRating rating = licence.speed() != null && licence.speed().compareTo(speed) > 0 ? licence.speed() : speed;
    int active = licence.maxActiveVcms() > 0 ? licence.maxActiveVcms() : licensedActive;
    TreeSet<String> all = new TreeSet<>(features);
    all.addAll(licence.features());
    return new Licensing(multi, rating, active, List.copyOf(all));
  }
}
