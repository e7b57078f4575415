package io.vcmctl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vcmctl.persistence.DataDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A process of bare {@link Counter}s on the product's LevelDB configuration in its own data
 * directory: the guardian spawns them all at start, as the product's HSM spawns its VCMs.
 */
final class Bare implements AutoCloseable {

  private record GetRefs(ActorRef<List<ActorRef<Counter.Command>>> replyTo) {}

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<GetRefs> system;
  private final List<ActorRef<Counter.Command>> counters;

  private Bare(ActorSystem<GetRefs> system, List<ActorRef<Counter.Command>> counters) {
    this.system = system;
    this.counters = counters;
  }

  static Bare start(Path dir, int entities, int snapshotEvery) {
    return start(dir, entities, snapshotEvery, ConfigFactory.empty());
  }

  /** {@code overrides} win over the product's LevelDB configuration (e.g. another serializer). */
  static Bare start(Path dir, int entities, int snapshotEvery, Config overrides) {
    ActorSystem<GetRefs> system = ActorSystem.create(guardian(entities, snapshotEvery), "bare", overrides
        .withFallback(Product.QUIET).withFallback(DataDirectory.of(dir).create().config()).withFallback(ConfigFactory.load()));
    List<ActorRef<Counter.Command>> refs = AskPattern.<GetRefs, List<ActorRef<Counter.Command>>>ask(system,
        GetRefs::new, TIMEOUT, system.scheduler()).toCompletableFuture().join();
    return new Bare(system, refs);
  }

  private static Behavior<GetRefs> guardian(int entities, int snapshotEvery) {
    return Behaviors.setup(ctx -> {
      List<ActorRef<Counter.Command>> refs = new ArrayList<>(entities);
      for (int i = 0; i < entities; i++) {
        refs.add(ctx.spawn(Counter.create(Integer.toString(i), snapshotEvery), "counter-" + i));
      }
      List<ActorRef<Counter.Command>> all = List.copyOf(refs);
      return Behaviors.receiveMessage(get -> {
        get.replyTo().tell(all);
        return Behaviors.same();
      });
    });
  }

  CompletableFuture<Long> increment(int entity) {
    return AskPattern.<Counter.Command, Long>ask(counters.get(entity), Counter.Increment::new, TIMEOUT,
        system.scheduler()).toCompletableFuture();
  }

  /** Every counter's value; each answers only once it has recovered. */
  List<Long> values() {
    List<CompletableFuture<Long>> asks = new ArrayList<>(counters.size());
    for (ActorRef<Counter.Command> c : counters) {
      asks.add(AskPattern.<Counter.Command, Long>ask(c, Counter.Get::new, TIMEOUT, system.scheduler())
          .toCompletableFuture());
    }
    return asks.stream().map(CompletableFuture::join).toList();
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the bare actor system did not stop: " + e.getMessage(), e);
    }
  }
}
