package io.vcmctl.orchestrator.access;

import io.vcmctl.vcm.SafeText;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Where the operators and their token hashes live. One daemon keeps them in a file of its data
 * directory ({@link FileOperatorStore}); the nodes of a cluster share one store they all read
 * at each call ({@link DbOperatorStore}), so that a revocation holds everywhere at once.
 */
public interface OperatorStore {

  /** Every operator, revoked ones included, by name. */
  List<Operator> list();

  Optional<Operator> find(String name);

  /** The active operator whose token this is; looks at every operator, whether one matched or not. */
  Optional<Operator> authenticate(String token);

  /**
   * @throws IllegalStateException the name is taken (by an active or a revoked operator)
   */
  Operator add(String name, Role role, String token, Instant at);

  /** Replaces an active operator's token; the old one is refused from now on. */
  Operator rotate(String name, String token);

  /** Marks an active operator revoked; its token is refused from now on. */
  Operator revoke(String name, Instant at);

  static IllegalStateException taken(Operator existing) {
    return new IllegalStateException("there is already an operator " + existing.name() + (existing.active() ? ""
        : " (revoked; names are not reused, so the history keeps meaning one person)") + "; choose another name");
  }

  static NoSuchElementException unknown(String name) {
    return new NoSuchElementException("no operator " + SafeText.quote(name) + "; operator list shows them");
  }

  static IllegalStateException revoked(String name) {
    return new IllegalStateException("operator " + name + " is revoked; add a new operator instead");
  }

  static IllegalStateException lastAdmin(String name) {
    return new IllegalStateException(name + " is the last admin; add another admin before revoking it");
  }
}
