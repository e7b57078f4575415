/**
 * The tenant request format. Public API: {@link io.vcmctl.vcm.request.SignedRequest},
 * {@link io.vcmctl.vcm.request.RequestPayload}, {@link io.vcmctl.vcm.request.PublicKeys} and
 * {@link io.vcmctl.vcm.request.RequestException}, to make or inspect requests; the rest is internal.
 */
package io.vcmctl.vcm.request;
