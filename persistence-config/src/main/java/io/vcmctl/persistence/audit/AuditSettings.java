package io.vcmctl.persistence.audit;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The {@code vcmctl.audit} settings, read once per actor system: every VCM's chain needs them
 * when it starts, and a thousand VCMs start at once after a restart.
 *
 * @param chain whether events are chained ({@code vcmctl.audit.chain})
 * @param checkpointEvery entries between the module key's signatures of a chain's head
 * @param readJournal the query plugin through which a chain reads stored entries
 * @param readTimeout how long such a read may take before the entity's recovery fails
 */
public record AuditSettings(boolean chain, long checkpointEvery, String readJournal, Duration readTimeout)
    implements Extension {

  private static final ExtensionId<AuditSettings> ID = new ExtensionId<>() {
    @Override
    public AuditSettings createExtension(ActorSystem<?> system) {
      return fromConfig(system.settings().config());
    }
  };

  public static AuditSettings get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  static AuditSettings fromConfig(Config config) {
    Config c = config.getConfig("vcmctl.audit");
    long checkpointEvery = c.getLong("checkpoint-every");
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("vcmctl.audit.checkpoint-every must be at least 1, not " + checkpointEvery);
    }
    return new AuditSettings(c.getBoolean("chain"), checkpointEvery, c.getString("read-journal"),
        c.getDuration("read-timeout"));
  }
}
