package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcmctl.orchestrator.cli.BinCommand.Result;
import io.vcmctl.vcm.Refusal;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The command lines as an operator uses them day to day, each a real {@code bin/} script on one
 * daemon: the rule and the code in every refusal, and where each code is explained.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class CommandLinesTest {

  private OpsFleet fleet;
  private final TestTenant aliceTenant = new TestTenant();
  private final TestTenant bobTenant = new TestTenant();
  private UUID alice;
  private UUID bob;

  @BeforeAll
  void startTheDaemon() {
    fleet = OpsFleet.start("command-lines", Duration.ofHours(1));
    alice = fleet.create("alice", aliceTenant, Map.of());
    fleet.start(alice);
    fleet.enrol(aliceTenant, alice);
    bob = fleet.create("bob", bobTenant, Map.of());
  }

  @AfterAll
  void stopTheDaemon() {
    fleet.close();
  }

  @Test
  void aRefusalNamesItsRuleAndItsCode() {
    String inUse = refused("vcmadmin", "stop", alice.toString());
    assertTrue(inUse.startsWith("ERROR: R5 VCM_IN_USE: VCM " + alice + " is in use"), inUse);
    assertTrue(refused("vcmadmin", "delete", UUID.randomUUID().toString()).startsWith("ERROR: NOT_FOUND: no VCM "));
  }

  @Test
  void everyRuleAndEveryCodeIsExplainedInTheRulesDocument() throws IOException, IllegalAccessException {
    String rules = Files.readString(OpsFleet.repositoryRoot().resolve("docs/rules.md"));
    for (int r = 1; r <= 12; r++) {
      assertTrue(rules.contains("\n| R" + r + " |"), "docs/rules.md does not explain R" + r);
    }
    for (Refusal.Code code : Refusal.Code.values()) {
      assertTrue(rules.contains("`" + code + "`"), "docs/rules.md does not explain " + code);
    }
    for (Field field : ApiError.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        assertTrue(rules.contains("`" + field.get(null) + "`"), "docs/rules.md does not explain " + field.get(null));
      }
    }
  }

  /** A refusal: exit 1 and one line on stderr, nothing on stdout. */
  private String refused(String... command) {
    Result r = fleet.cli(command);
    assertEquals(1, r.exit(), r::toString);
    assertEquals("", r.out(), r::toString);
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r::toString);
    return lines.get(0);
  }
}
