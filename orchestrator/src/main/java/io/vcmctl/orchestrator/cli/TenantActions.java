package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's signed actions on its own VCM and the facts they print. Apart from
 * {@link TenantCommand}, which refers to picocli's exceptions: loading it would load picocli
 * for the everyday tenant calls ({@link Everyday}).
 */
final class TenantActions {

  static final List<String> FACTS = List.of("uuid", "state", "enrolled", "security_world_loaded", "mode",
      "audit_log", "hardserver_restart_required");

  private TenantActions() {}

  /** One tenant action on a VCM: the signed call, answered by the VCM's tenant-side facts. */
  static ObjectNode post(Options.Tenant tenant, UUID vcm, String action, ObjectNode body) {
    return (ObjectNode) tenant.api().post("/v1/tenant/vcms/" + vcm + "/" + action, body);
  }

  static int act(Options.Tenant tenant, UUID vcm, String action, boolean json) {
    Out.object(post(tenant, vcm, action, Json.object()), json, FACTS);
    return 0;
  }
}
