package io.vcmctl.orchestrator.cluster;

import io.vcmctl.persistence.CborSerializable;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The fleet's directory of VCMs: for each VCM UUID, the ESN of the HSM that holds it, kept in
 * the shared journal as one small sharded entity per VCM. A call that names only a VCM asks this
 * instead of every HSM. A VCM never moves to another HSM, so the first recorded home is final.
 *
 * <p>Commands: {@link RecordHome} persists {@link HomeRecorded} once (again is a no-op);
 * {@link GetHome} answers the home, or a {@code null} ESN when none is recorded.
 */
public final class VcmHomes extends EventSourcedBehavior<VcmHomes.Command, VcmHomes.HomeRecorded, VcmHomes.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "vcm-home");

  public interface Command extends CborSerializable {}

  public record RecordHome(String esn, ActorRef<Done> replyTo) implements Command {}

  public record GetHome(ActorRef<Home> replyTo) implements Command {}

  /** The answer: {@code esn} is {@code null} when no home is recorded. */
  public record Home(String esn) implements CborSerializable {}

  public record HomeRecorded(UUID vcm, String esn) implements CborSerializable {}

  public record State(String esn) implements CborSerializable {}

  private final UUID vcm;

  private VcmHomes(UUID vcm) {
    super(PersistenceId.of(KEY.name(), vcm.toString()));
    this.vcm = vcm;
  }

  public static Behavior<Command> create(UUID vcm) {
    return new VcmHomes(vcm);
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(UUID.fromString(ctx.getEntityId()))));
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public CommandHandler<Command, HomeRecorded, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(RecordHome.class, (state, c) -> state.esn() != null
            ? Effect().none().thenRun(s -> c.replyTo().tell(Done.getInstance()))
            : Effect().persist(new HomeRecorded(vcm, c.esn())).thenRun(s -> c.replyTo().tell(Done.getInstance())))
        .onCommand(GetHome.class, (state, c) -> Effect().none().thenRun(s -> c.replyTo().tell(new Home(s.esn()))))
        .build();
  }

  @Override
  public EventHandler<State, HomeRecorded> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(HomeRecorded.class, (state, e) -> new State(e.esn()))
        .build();
  }
}
