package io.vcmctl.vcm.request;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a tenant request asks for; written in request files in lower case. */
public enum RequestKind {
  CREATE,
  START,
  PROPERTIES;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The name in request files: {@code create}, {@code start} or {@code properties}. */
  public String wireName() {
    return wireName;
  }

  /** The kind a request file names; exact lower case only, as the name is signed. */
  public static Optional<RequestKind> fromWireName(String name) {
    return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
