/** The lifecycle feed: every HSM and VCM event as one ordered, resumable stream (public API). */
package io.vcmctl.orchestrator.feed;
