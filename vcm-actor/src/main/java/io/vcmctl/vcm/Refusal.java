package io.vcmctl.vcm;

/**
 * A command refused by a rule. Carried in {@code StatusReply.error}, so embedders get a typed
 * code instead of a string to parse; the message is the one line a user sees, naming the rule
 * and the fix. A refusal never changes state.
 */
public final class Refusal extends RuntimeException {

  /** Stable codes, also used as the HTTP API's error codes. */
  public enum Code {
    NOT_FOUND,
    ALREADY_EXISTS,
    INVALID_ARGUMENT,
    INVALID_REQUEST,
    NOT_ACTIVE,
    ALREADY_ACTIVE,
    DELETED,
    NOT_YOUR_VCM,
    NOT_ENROLLED,
    NETWORK_NOT_SET,
    NETWORK_CONFLICT,
    ADDRESS_UNAVAILABLE,
    FEATURE_NOT_LICENSED,
    INVALID_LICENCE,
    /** autostart comes only from the tenant's request: the provider may drop it, never add it. */
    AUTOSTART_NOT_REQUESTED,
    /** R1: autostart and restrict_startup both true. */
    AUTOSTART_RESTRICT_STARTUP_EXCLUSIVE,
    /** R2: another VCM already has the serial cardreader. */
    SERIAL_CARDREADER_IN_USE,
    /** R3: create beyond max_creatable_vcms. */
    CREATE_LIMIT_REACHED,
    /** R3: start beyond max_active_vcms. */
    ACTIVE_LIMIT_REACHED,
    /** R4: restrict_startup needs a start request. */
    START_REQUEST_REQUIRED,
    /** R5: the VCM is enrolled and operational. */
    VCM_IN_USE,
    /** R6: only an inactive VCM can be deleted. */
    DELETE_WHILE_ACTIVE,
    /** R6: an audit log that is on blocks delete without force. */
    AUDIT_LOG_NOT_FINALIZED,
    /** R7: properties change only while the VCM is not active. */
    MODIFY_WHILE_ACTIVE,
    /** R7: the request does not name the property. */
    PROPERTY_NOT_REQUESTED,
    /** R7: the value differs from the requested one. */
    PROPERTY_MISMATCH,
    /** R9: the tenant is already enrolled to another VCM of this HSM. */
    TENANT_ALREADY_ENROLLED,
    /** R11: the VCM was stopped for exceeding the disk limit. */
    DISK_LIMIT_STOPPED,
    /** The device that runs the VCM failed or did not answer; nothing was recorded. */
    DEVICE_ERROR,
    UNAVAILABLE
  }

  private final Code code;

  public Refusal(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
