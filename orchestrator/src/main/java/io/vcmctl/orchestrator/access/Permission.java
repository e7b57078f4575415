package io.vcmctl.orchestrator.access;

/** What an endpoint does, as the role table grants it; {@link #what} names it in a refusal. */
public enum Permission {
  READ("reading the HSMs, VCMs, stats and metrics"),
  HISTORY("reading a VCM's history"),
  AUDIT_EXPORT("exporting the audit trail"),
  VCM_LIFECYCLE("creating, starting, stopping, deleting and changing VCMs"),
  LICENCES("applying licences"),
  NETWORK("setting the VCM network"),
  RESET("resetting the HSM"),
  CLOCK("setting the module clock"),
  FLEET("adding an HSM to the fleet"),
  OPERATORS("managing operators");

  private final String what;

  Permission(String what) {
    this.what = what;
  }

  public String what() {
    return what;
  }
}
