package io.vcmctl.orchestrator.http;

import io.vcmctl.vcm.SafeText;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers a request too malformed to reach the routes (a broken request line, oversized
 * headers, an unsupported method) in the API's JSON error shape instead of Pekko's plain text.
 * Pekko instantiates it by name ({@code pekko.http.server.parsing.error-handler}).
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.warning("Illegal request, responding with status '{}': {}", status, info.summary());
    return HttpApi.error(status.intValue(), HttpApi.codeOf(status.intValue()), SafeText.oneLine(info.summary()));
  }
}
