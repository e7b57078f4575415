package io.vcmctl.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code hsmadmin history}: the HSM's own events, as {@code vcmadmin history} shows a VCM's. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Shows the HSM's own events in order (licences, networking, resets, clock, VCMs admitted and"
        + " removed): when, what, who, and the digest of the request that allowed it.")
final class HsmHistoryCommand implements Callable<Integer> {

  @Mixin
  Options.Provider client;

  @Mixin
  Options.Esn hsm;

  @Mixin
  Options.Json format;

  @Override
  public Integer call() {
    JsonNode history = client.api().get(Api.withEsn("/v1/hsm/history", hsm.esn));
    if (format.json) {
      Out.json(history);
      return 0;
    }
    Out.table(HistoryTable.rows(history.path("events")));
    return 0;
  }
}
