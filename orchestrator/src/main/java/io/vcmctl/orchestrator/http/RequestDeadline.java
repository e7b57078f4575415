package io.vcmctl.orchestrator.http;

import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Closes a connection whose next request head (request line and headers) has not arrived
 * within a deadline: after the connection opened, or after the previous answer. Pekko's
 * idle timeout cannot do this, since a sender dripping a byte at a time is never idle and the
 * idle timeout must outlast the slowest command; without it, connections that send half a
 * head hold every connection slot ({@code pekko.http.server.max-connections}) and nobody else
 * is served. The time a command takes is not counted: the clock stops when a head arrives.
 */
public final class RequestDeadline extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {

  private static final String TIMER = "request-head";

  private final Inlet<HttpRequest> fromClient = Inlet.create("RequestDeadline.fromClient");
  private final Outlet<HttpRequest> toRoute = Outlet.create("RequestDeadline.toRoute");
  private final Inlet<HttpResponse> fromRoute = Inlet.create("RequestDeadline.fromRoute");
  private final Outlet<HttpResponse> toClient = Outlet.create("RequestDeadline.toClient");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(fromClient, toRoute, fromRoute, toClient);
  private final Duration deadline;

  private RequestDeadline(Duration deadline) {
    this.deadline = deadline;
  }

  /** The connection's handler: {@code handler} behind the deadline. */
  public static Flow<HttpRequest, HttpResponse, NotUsed> around(Duration deadline,
      Flow<HttpRequest, HttpResponse, NotUsed> handler) {
    return BidiFlow.fromGraph(new RequestDeadline(deadline)).join(handler);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      {
        setHandler(fromClient, new AbstractInHandler() {
          @Override
          public void onPush() {
            cancelTimer(TIMER);
            push(toRoute, grab(fromClient));
          }

          @Override
          public void onUpstreamFinish() {
            complete(toRoute);
          }
        });
        setHandler(toRoute, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(fromClient);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(fromClient, cause);
          }
        });
        setHandler(fromRoute, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(toClient, grab(fromRoute));
            scheduleOnce(TIMER, deadline);
          }

          @Override
          public void onUpstreamFinish() {
            complete(toClient);
          }
        });
        setHandler(toClient, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(fromRoute);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(fromRoute, cause);
          }
        });
      }

      @Override
      public void preStart() {
        scheduleOnce(TIMER, deadline);
      }

      @Override
      public void onTimer(Object key) {
        // Closing the handler closes the connection and frees its slot.
        completeStage();
      }
    };
  }
}
