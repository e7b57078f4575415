/** Internal: serves the HTTP API and the command lines; not part of the embedding API and may change in any release. */
package io.vcmctl.orchestrator.ops;
