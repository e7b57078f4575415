/**
 * The HTTP API's JSON shapes ({@code JsonViews}, internal) and {@link io.vcmctl.orchestrator.api.TenantCall},
 * which signs a tenant's HTTP call (docs/api.md) and is public for HTTP clients. Not part of the
 * embedding API.
 */
package io.vcmctl.orchestrator.api;
