package io.vcmctl.hsm;

import io.vcmctl.persistence.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What an HSM's licences add up to, and the limits that follow (SPEC §3): without a
 * multi-tenant licence one VCM can be created and active; with one, a base-speed HSM creates
 * up to 5 and a mid- or high-speed HSM up to 1000, and the licensed active count applies
 * (never above the creatable count).
 *
 * <p>Only licences that the vendor key trusted now verifies count: {@code applied} keeps every
 * licence with its signed file, so that a restart with another vendor key re-checks them
 * ({@link #recheck}); those it does not verify are listed in {@code notTrusted} and add nothing.
 *
 * @param applied every licence applied, in order, with its signed file
 * @param notTrusted the licences among them that no longer count, one line each
 */
public record Licensing(boolean multiTenant, SpeedRating speed, int licensedActive, List<String> features,
    List<Applied> applied, List<String> notTrusted) implements CborSerializable {

  public static final int BASE_MAX_CREATABLE = 5;
  public static final int HIGHER_MAX_CREATABLE = 1000;

  /**
   * A licence as applied. {@code file} (the signed licence file, base64) is {@code null} for a
   * licence recorded before files were kept: it cannot be re-checked, so it keeps counting.
   */
  public record Applied(Licence licence, String file) implements CborSerializable {}

  public Licensing {
    features = List.copyOf(features);
    // Snapshots written before licences were kept carry neither list.
    applied = applied == null ? List.of() : List.copyOf(applied);
    notTrusted = notTrusted == null ? List.of() : List.copyOf(notTrusted);
  }

  public static Licensing unlicensed(List<String> baseFeatures) {
    return new Licensing(false, SpeedRating.BASE, 1, baseFeatures, List.of(), List.of());
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
   * Multi-tenancy once granted stays and a speed upgrade only raises the rating; the newest
   * multi-tenant licence sets the active count, even below the number running now, and the
   * newest licence that names features sets the licensed ones (the {@code baseFeatures} always
   * stay), even without one that VCMs use: those keep it, and {@code hsmadmin info} names them.
   * A licence that is not {@code trusted} is kept but adds nothing.
   */
  public Licensing apply(Applied licence, boolean trusted, List<String> baseFeatures) {
    List<Applied> all = new ArrayList<>(applied);
    all.add(licence);
    Licence l = licence.licence();
    if (!trusted) {
      List<String> refused = new ArrayList<>(notTrusted);
      refused.add("licence " + l.id() + " issued " + l.issuedAt() + " does not verify with the trusted vendor key,"
          + " so its limits no longer count; apply one from that vendor with hsmadmin fet");
      return new Licensing(multiTenant, speed, licensedActive, features, all, refused);
    }
    boolean multi = multiTenant || l.multiTenant();
    SpeedRating rating = l.speed() != null && l.speed().compareTo(speed) > 0 ? l.speed() : speed;
    int active = l.maxActiveVcms() > 0 ? l.maxActiveVcms() : licensedActive;
    List<String> licensed = features;
    if (!l.features().isEmpty()) {
      TreeSet<String> named = new TreeSet<>(baseFeatures);
      named.addAll(l.features());
      licensed = List.copyOf(named);
    }
    return new Licensing(multi, rating, active, licensed, all, notTrusted);
  }

  /**
   * The same licences counted again, each only if {@code trusted} accepts it: for a state read
   * from a snapshot taken while another vendor key was trusted. A snapshot from before licences
   * were kept holds only the sum; that sum is kept as one licence that cannot be re-checked.
   */
  public Licensing recheck(String esn, List<String> baseFeatures, Predicate<Applied> trusted) {
    List<Applied> all = applied;
    if (all.isEmpty() && !equals(unlicensed(baseFeatures))) {
      all = List.of(new Applied(new Licence("recorded-before-licence-files", esn, multiTenant, speed,
          multiTenant ? licensedActive : 0, features, Instant.EPOCH), null));
    }
    Licensing l = unlicensed(baseFeatures);
    for (Applied a : all) {
      l = l.apply(a, a.file() == null || trusted.test(a), baseFeatures);
    }
    return l;
  }
}
