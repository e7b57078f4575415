package io.vcmctl.orchestrator.http;

import static io.vcmctl.orchestrator.http.ApiClient.b64;
import static io.vcmctl.orchestrator.http.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.hsm.Licence;
import io.vcmctl.hsm.SpeedRating;
import io.vcmctl.orchestrator.Daemon;
import io.vcmctl.orchestrator.DemoVendor;
import io.vcmctl.orchestrator.http.ApiClient.Answer;
import io.vcmctl.persistence.testing.TestConfigs;
import io.vcmctl.vcm.TestTenant;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 200 commands at once over HTTP against tight limits: a base licence (5 VCMs, 3 active), the
 * serial cardreader (one VCM) and one enrolment per tenant. Exactly as many are accepted as the
 * limits allow, every other one is refused by its rule, and an observer polling throughout never
 * sees a limit broken. The storms build on each other, so they run in order on one daemon.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(LogCapturingExtension.class)
class ConcurrentLimitsTest {

  private static final int CALLS = 200;
  private static final int MAX_CREATABLE = 5;
  private static final int MAX_ACTIVE = 3;

  private Daemon daemon;
  private ApiClient api;
  private final TestTenant tenant = new TestTenant();
  private final List<String> created = new ArrayList<>();

  @BeforeAll
  void start() {
    daemon = Daemon.start(TestConfigs.freshDataDirectory("concurrent-limits").root(), 0, List.of(), null, null,
        new PrintStream(OutputStream.nullOutputStream()));
    api = new ApiClient(daemon.url(), daemon.tokenFile());
    String esn = daemon.orchestrator().esns().get(0);
    byte[] licence = Licence.of(esn, true, SpeedRating.BASE, MAX_ACTIVE, List.of(), Instant.now())
        .sign(DemoVendor.keyPair());
    api.post("/v1/hsm/licence", json("licence", b64(licence))).ok();
    api.post("/v1/hsm/network", json("ipv4", "10.40.0.0/24")).ok();
    api.post("/v1/hsm/reset", "").ok();
    JsonNode info = api.get("/v1/hsm/info").ok().json();
    assertEquals(MAX_CREATABLE, info.path("max_creatable_vcms").asInt(), info::toString);
    assertEquals(MAX_ACTIVE, info.path("max_active_vcms").asInt(), info::toString);
  }

  @AfterAll
  void stop() {
    daemon.stop();
  }

  @Test
  @Order(1)
  void onlyOneOf200CreatesWithTheSerialCardreaderGetsIt() throws Exception {
    List<Answer> answers = storm(i -> api.post("/v1/vcms", json("request",
        b64(tenant.createRequest(Map.of(), Instant.now())), "name", "reader" + i, "serial_cardreader", true)));
    List<Answer> accepted = accepted(answers, "SERIAL_CARDREADER_IN_USE");
    assertEquals(1, accepted.size(), () -> codes(answers).toString());
    accepted.forEach(a -> created.add(a.json().path("uuid").asText()));
  }

  @Test
  @Order(2)
  void of200CreatesExactlyThoseUpToMaxCreatableAreAccepted() throws Exception {
    List<Answer> answers = storm(i -> api.post("/v1/vcms", json("request",
        b64(tenant.createRequest(Map.of(), Instant.now())), "name", "vcm" + i)));
    List<Answer> accepted = accepted(answers, "CREATE_LIMIT_REACHED");
    assertEquals(MAX_CREATABLE - 1, accepted.size(), () -> codes(answers).toString());
    accepted.forEach(a -> created.add(a.json().path("uuid").asText()));
    assertEquals(MAX_CREATABLE, api.get("/v1/hsm/info").ok().json().path("vcms_created").asInt());
  }

  @Test
  @Order(3)
  void of200StartsOnlyMaxActiveVcmsStartEachOnce() throws Exception {
    List<Answer> answers = storm(i -> api.post("/v1/vcms/" + created.get(i % created.size()) + "/start", ""));
    List<Answer> accepted = accepted(answers, "ACTIVE_LIMIT_REACHED", "ALREADY_ACTIVE");
    assertEquals(MAX_ACTIVE, accepted.size(), () -> codes(answers).toString());
    Set<String> started = new HashSet<>();
    accepted.forEach(a -> started.add(a.json().path("uuid").asText()));
    assertEquals(MAX_ACTIVE, started.size(), "each start accepted is of another VCM");
    assertEquals(MAX_ACTIVE, events("VcmStarted"), "each started VCM started once");
    assertEquals(MAX_ACTIVE, api.get("/v1/hsm/info").ok().json().path("vcms_active").asInt());
  }

  @Test
  @Order(4)
  void of200EnrolmentsOfOneTenantExactlyOneIsAccepted() throws Exception {
    List<String> active = new ArrayList<>();
    for (String uuid : created) {
      if (api.get("/v1/vcms/" + uuid).ok().json().path("state").asText().equals("active")) {
        active.add(uuid);
      }
    }
    List<Answer> answers = storm(i -> api.tenant(tenant, "enroll", active.get(i % active.size()), "{}"));
    List<Answer> accepted = accepted(answers, "TENANT_ALREADY_ENROLLED");
    Set<String> enrolled = new HashSet<>();
    accepted.forEach(a -> enrolled.add(a.json().path("uuid").asText()));
    assertEquals(1, enrolled.size(), () -> codes(answers).toString());
    // Enrolling again where it is already enrolled is no change, and answered as done.
    String winner = enrolled.iterator().next();
    long toWinner = IntStream.range(0, CALLS).filter(i -> active.get(i % active.size()).equals(winner)).count();
    assertEquals(toWinner, accepted.size(), () -> codes(answers).toString());
    assertEquals(1, events("TenantEnrolled"), "the enrolment was recorded once");
  }

  /**
   * Sends {@link #CALLS} calls at once, released together, while an observer checks the limits
   * at every look; returns their answers.
   */
  private List<Answer> storm(IntFunction<Answer> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CALLS + 1);
    try {
      CountDownLatch go = new CountDownLatch(1);
      AtomicBoolean done = new AtomicBoolean();
      Future<?> observer = pool.submit(() -> {
        do {
          observeLimits();
        } while (!done.get());
        return null;
      });
      List<Future<Answer>> calls = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        int n = i;
        calls.add(pool.submit(() -> {
          go.await();
          return call.apply(n);
        }));
      }
      go.countDown();
      List<Answer> answers = new ArrayList<>();
      for (Future<Answer> f : calls) {
        answers.add(f.get());
      }
      done.set(true);
      observer.get();
      observeLimits();
      return answers;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The limits as a client sees them at one moment: none is ever exceeded. */
  private void observeLimits() {
    JsonNode info = api.get("/v1/hsm/info").ok().json();
    assertTrue(info.path("vcms_created").asInt() <= MAX_CREATABLE, info::toString);
    assertTrue(info.path("vcms_active").asInt() <= MAX_ACTIVE, info::toString);
    JsonNode vcms = api.get("/v1/vcms").ok().json().path("vcms");
    int active = 0;
    int readers = 0;
    int enrolled = 0;
    Set<String> addresses = new HashSet<>();
    for (JsonNode v : vcms) {
      active += v.path("state").asText().equals("active") ? 1 : 0;
      readers += v.at("/properties/serial_cardreader").asBoolean() ? 1 : 0;
      enrolled += v.path("enrolled").asBoolean() ? 1 : 0;
      assertTrue(addresses.add(v.at("/properties/ip_address").asText()), vcms::toString);
    }
    assertTrue(vcms.size() <= MAX_CREATABLE, vcms::toString);
    assertTrue(active <= MAX_ACTIVE, vcms::toString);
    assertTrue(readers <= 1, vcms::toString);
    assertTrue(enrolled <= 1, vcms::toString);
  }

  /** The accepted answers; every other one must be a 409 refusal by one of these rules, in one line. */
  private static List<Answer> accepted(List<Answer> answers, String... rules) {
    List<Answer> accepted = new ArrayList<>();
    for (Answer a : answers) {
      if (a.status() == 200) {
        accepted.add(a);
      } else {
        assertTrue(List.of(rules).contains(a.code()), a::raw);
        a.refused(409, a.code());
      }
    }
    return accepted;
  }

  private static Map<String, Integer> codes(List<Answer> answers) {
    Map<String, Integer> codes = new TreeMap<>();
    answers.forEach(a -> codes.merge(a.status() == 200 ? "accepted" : a.code(), 1, Integer::sum));
    return codes;
  }

  /** How many events of this kind all the VCMs' histories hold. */
  private int events(String kind) {
    int n = 0;
    for (String uuid : created) {
      for (JsonNode e : api.get("/v1/vcms/" + uuid + "/history").ok().json().path("events")) {
        n += e.path("event").asText().equals(kind) ? 1 : 0;
      }
    }
    return n;
  }
}
