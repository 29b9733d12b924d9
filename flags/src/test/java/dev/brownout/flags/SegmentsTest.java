package dev.brownout.flags;

import static dev.brownout.flags.AdminCalls.json;
import static dev.brownout.flags.AdminCalls.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.flags.FlagDefinition.Condition;
import dev.brownout.flags.FlagDefinition.Serve;
import dev.brownout.state.InMemoryStateStore;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Segments: named sets of units and rules that flags refer to, checked for use. */
class SegmentsTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final Flags flags = Flags.builder(store).build();
  final AdminCalls api = new AdminCalls(flags.adminRoutes(), audit);

  @AfterEach
  void close() {
    flags.close();
    store.close();
  }

  static final SegmentDefinition BETA =
      new SegmentDefinition(
          "beta-testers",
          "staff and early customers",
          List.of("alice"),
          List.of("mallory@example.com"),
          List.of(
              new SegmentDefinition.Rule(
                  "staff", List.of(new Condition("key", "ends_with", List.of("@example.com"))))));

  FlagDefinition flag() {
    return FlagDefinition.builder("new-search")
        .rule("beta", Serve.variant("on"), Condition.inSegment("beta-testers"))
        .fallthrough(Serve.variant("off"))
        .build();
  }

  @Test
  void aSegmentMatchesItsUnitsAndRulesButNotItsExclusions() {
    flags.segments().create(BETA);
    flags.admin().create(flag());
    assertThat(flags.isEnabled("new-search", FlagContext.of("alice"))).isTrue();
    assertThat(flags.isEnabled("new-search", FlagContext.of("bob@example.com"))).isTrue();
    assertThat(flags.isEnabled("new-search", FlagContext.of("mallory@example.com"))).isFalse();
    assertThat(flags.isEnabled("new-search", FlagContext.of("eve@elsewhere.com"))).isFalse();
    assertThat(flags.evaluate("new-search", FlagContext.of("alice")).ruleId()).isEqualTo("beta");
  }

  @Test
  void aChangedSegmentChangesEveryFlagThatUsesIt() {
    flags.segments().create(BETA);
    flags.admin().create(flag());
    flags
        .segments()
        .replace(
            new SegmentDefinition("beta-testers", null, List.of("eve@elsewhere.com"), null, null),
            OptionalLong.empty());
    assertThat(flags.isEnabled("new-search", FlagContext.of("eve@elsewhere.com"))).isTrue();
    assertThat(flags.isEnabled("new-search", FlagContext.of("bob@example.com"))).isFalse();
    try (Flags other = Flags.builder(store).build()) {
      assertThat(other.isEnabled("new-search", FlagContext.of("eve@elsewhere.com"))).isTrue();
    }
  }

  @Test
  void aFlagCannotUseASegmentThatDoesNotExistNorCanAUsedSegmentBeDeleted() {
    assertThatThrownBy(() -> flags.admin().create(flag()))
        .isInstanceOf(InvalidFlagException.class)
        .hasMessageContaining("segment 'beta-testers' does not exist; create it first");
    flags.segments().create(BETA);
    flags.admin().create(flag());
    assertThatThrownBy(() -> flags.segments().delete("beta-testers", OptionalLong.empty()))
        .isInstanceOf(FlagConflictException.class)
        .hasMessageContaining("is used by flags [new-search]");
    assertThatThrownBy(
            () ->
                flags
                    .segments()
                    .create(
                        new SegmentDefinition(
                            "nested",
                            null,
                            null,
                            null,
                            List.of(
                                new SegmentDefinition.Rule(
                                    "x", List.of(Condition.inSegment("beta-testers")))))))
        .hasMessageContaining("cannot refer to other segments");
  }

  @Test
  void segmentRoutesWithETagsAndInUseChecks() {
    AdminResponse created =
        api.write("POST", "/api/v1/segments", BETA.toJson(), "Brownout-Reason", "beta week");
    assertThat(created.status()).as(text(created)).isEqualTo(201);
    String etag = created.headers().get("ETag");
    assertThat(api.write("POST", "/api/v1/flags", flag().toJson()).status()).isEqualTo(201);
    assertThat(text(api.read("/api/v1/segments"))).contains("\"usedBy\":[\"new-search\"]");
    assertThat(api.read("/api/v1/segments/beta-testers").headers()).containsEntry("ETag", etag);

    AdminResponse inUse = api.write("DELETE", "/api/v1/segments/beta-testers", null);
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(json(inUse)).containsEntry("type", "https://brownout.dev/problems/segment-in-use");

    AdminResponse replaced =
        api.write(
            "PUT",
            "/api/v1/segments/beta-testers",
            SegmentDefinition.of("beta-testers", "zoe").toJson(),
            "If-Match",
            etag);
    assertThat(replaced.status()).isEqualTo(200);
    AdminResponse stale =
        api.write(
            "PUT",
            "/api/v1/segments/beta-testers",
            SegmentDefinition.of("beta-testers", "yan").toJson(),
            "If-Match",
            etag);
    assertThat(stale.status()).isEqualTo(412);
    assertThat(json(stale)).containsEntry("currentETag", replaced.headers().get("ETag"));
    AdminResponse invalid =
        api.write("POST", "/api/v1/segments", "{\"key\":\"Bad Key\",\"included\":[\"\"]}");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat((List<?>) json(invalid).get("problems")).hasSize(2);
    assertThat(audit.recent(10))
        .extracting(r -> r.action())
        .containsExactly("segments.replace", "flags.create", "segments.create");
  }
}
