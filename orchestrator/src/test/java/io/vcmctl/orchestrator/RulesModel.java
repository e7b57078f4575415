package io.vcmctl.orchestrator;

import io.vcmctl.hsm.Licensing;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.vcm.Refusal.Code;
import io.vcmctl.vcm.VcmStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A plain reference model of the operator guide's rules for the commands the model-based test
 * drives: licences (multi-tenancy, speed, active count), the creation and active limits (R3),
 * stop of a VCM in use (R5), delete of an active VCM (R6), one enrolment per tenant and HSM and
 * only to an active VCM (R9), enrolment kept across stop and start (R10), and reset. Written
 * from the rules, not from the product's classes, so that the two can disagree.
 */
final class RulesModel {

  /** A VCM as the model sees it. */
  static final class Vcm {
    final UUID uuid;
    final int tenant;
    VcmStatus status = VcmStatus.INACTIVE;
    Integer enrolled;
    boolean maintenance;
    boolean restartRequired;

    Vcm(UUID uuid, int tenant) {
      this.uuid = uuid;
      this.tenant = tenant;
    }

    boolean inUse() {
      return enrolled != null && !maintenance;
    }
  }

  /** An HSM as the model sees it: its licence and its VCMs that are not deleted, in creation order. */
  static final class Hsm {
    boolean multiTenant;
    SpeedRating speed = SpeedRating.BASE;
    int licensedActive = 1;
    final Map<UUID, Vcm> vcms = new LinkedHashMap<>();

    int maxCreatable() {
      if (!multiTenant) {
        return 1;
      }
      return speed == SpeedRating.BASE ? Licensing.BASE_MAX_CREATABLE : Licensing.HIGHER_MAX_CREATABLE;
    }

    int maxActive() {
      return multiTenant ? Math.min(licensedActive, maxCreatable()) : 1;
    }

    long active() {
      return vcms.values().stream().filter(v -> v.status == VcmStatus.ACTIVE).count();
    }

    Optional<Code> licence(boolean multi, SpeedRating rating, int active) {
      multiTenant |= multi;
      if (rating.compareTo(speed) > 0) {
        speed = rating;
      }
      licensedActive = active;
      return Optional.empty();
    }

    Optional<Code> create() {
      return vcms.size() >= maxCreatable() ? Optional.of(Code.CREATE_LIMIT_REACHED) : Optional.empty();
    }

    void created(UUID uuid, int tenant) {
      vcms.put(uuid, new Vcm(uuid, tenant));
    }

    Optional<Code> start(UUID uuid) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.status == VcmStatus.ACTIVE) {
        return Optional.of(Code.ALREADY_ACTIVE);
      }
      if (active() >= maxActive()) {
        return Optional.of(Code.ACTIVE_LIMIT_REACHED);
      }
      v.status = VcmStatus.ACTIVE;
      return Optional.empty();
    }

    Optional<Code> stop(UUID uuid, boolean force) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.status != VcmStatus.ACTIVE) {
        return Optional.of(Code.NOT_ACTIVE);
      }
      if (v.inUse() && !force) {
        return Optional.of(Code.VCM_IN_USE);
      }
      v.status = VcmStatus.INACTIVE;
      v.restartRequired |= force;
      return Optional.empty();
    }

    Optional<Code> delete(UUID uuid) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.status == VcmStatus.ACTIVE) {
        return Optional.of(Code.DELETE_WHILE_ACTIVE);
      }
      vcms.remove(uuid);
      return Optional.empty();
    }

    Optional<Code> enroll(UUID uuid, int tenant) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      boolean elsewhere = vcms.values().stream()
          .anyMatch(o -> !o.uuid.equals(uuid) && Integer.valueOf(tenant).equals(o.enrolled));
      if (elsewhere) {
        return Optional.of(Code.TENANT_ALREADY_ENROLLED);
      }
      if (v.tenant != tenant) {
        return Optional.of(Code.NOT_YOUR_VCM);
      }
      if (v.status != VcmStatus.ACTIVE) {
        return Optional.of(Code.NOT_ACTIVE);
      }
      v.enrolled = tenant;
      v.restartRequired = false;
      return Optional.empty();
    }

    Optional<Code> unenroll(UUID uuid, int tenant) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.tenant != tenant) {
        return Optional.of(Code.NOT_YOUR_VCM);
      }
      if (v.enrolled == null) {
        return Optional.of(Code.NOT_ENROLLED);
      }
      v.enrolled = null;
      return Optional.empty();
    }

    Optional<Code> mode(UUID uuid, int tenant, boolean maintenance) {
      Vcm v = vcms.get(uuid);
      if (v == null) {
        return Optional.of(Code.NOT_FOUND);
      }
      if (v.tenant != tenant) {
        return Optional.of(Code.NOT_YOUR_VCM);
      }
      if (v.status != VcmStatus.ACTIVE) {
        return Optional.of(Code.NOT_ACTIVE);
      }
      if (v.enrolled == null) {
        return Optional.of(Code.NOT_ENROLLED);
      }
      v.maintenance = maintenance;
      return Optional.empty();
    }

    /** Every active VCM stops (no restart needed: the tenant expects a reset); none is autostart here. */
    Optional<Code> reset() {
      vcms.values().forEach(v -> v.status = VcmStatus.INACTIVE);
      return Optional.empty();
    }

    List<Vcm> inOrder() {
      return new ArrayList<>(vcms.values());
    }
  }

  private RulesModel() {}
}
