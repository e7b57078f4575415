/**
 * The embedding API: the {@link io.vcmctl.orchestrator.Orchestrator} facade, started in its own
 * actor system or spawned into an application's with {@link io.vcmctl.orchestrator.EmbeddedOrchestrator},
 * configured by {@link io.vcmctl.orchestrator.OrchestratorConfig}; {@link io.vcmctl.orchestrator.HistoryEntry}
 * and {@link io.vcmctl.orchestrator.Runtimes}. {@code Daemon} and {@code DemoVendor} serve the
 * command lines and are internal.
 */
package io.vcmctl.orchestrator;
