package io.vcmctl.persistence;

import java.util.Set;

/**
 * The journal tag on every HSM and VCM event, so that Pekko Persistence Query's
 * {@code eventsByTag} streams all of them in the order the journal stored them (the lifecycle
 * feed). One tag for both entity types: a single tag has a single order. Events written before
 * tagging carry no tag; they stay reachable by persistence id (docs/embedding.md).
 */
public final class LifecycleTag {

  /** Written into the journal with each event: never change it, or the feed loses what came before. */
  public static final String NAME = "vcmctl-lifecycle";

  /** The tags of every event ({@code tagsFor} of both entities). */
  public static final Set<String> TAGS = Set.of(NAME);

  private LifecycleTag() {}
}
