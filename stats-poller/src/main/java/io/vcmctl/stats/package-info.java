/**
 * The stats poller. Public API: {@link io.vcmctl.stats.StatsSettings} and the
 * {@link io.vcmctl.stats.StatsPoller.Status} the facade returns; the poller's protocol is internal.
 */
package io.vcmctl.stats;
