package io.vcmctl.persistence.audit;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Who signs the chain checkpoints of an entity: the module key of the HSM it runs under. An
 * HSM registers its key once it has it; its VCMs, its children, find it by their place in the
 * actor tree, so no VCM write goes through the HSM.
 */
public final class AuditSigners implements Extension {

  /** Signs checkpoint bytes with a module key. */
  public interface Signer {
    byte[] sign(byte[] data);
  }

  private static final ExtensionId<AuditSigners> ID = new ExtensionId<>() {
    @Override
    public AuditSigners createExtension(ActorSystem<?> system) {
      return new AuditSigners();
    }
  };

  private final ConcurrentMap<ActorPath, Signer> signers = new ConcurrentHashMap<>();

  private AuditSigners() {}

  public static AuditSigners get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** {@code owner} and the entities under it sign their checkpoints with {@code signer} from now on. */
  public void register(ActorRef<?> owner, Signer signer) {
    signers.put(owner.path(), signer);
  }

  /** The signer of {@code entity}: its own, or that of the nearest actor above it that has one. */
  Optional<Signer> of(ActorRef<?> entity) {
    for (ActorPath p = entity.path(); p != null && p != p.parent(); p = p.parent()) {
      Signer s = signers.get(p);
      if (s != null) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
