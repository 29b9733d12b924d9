package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The attribute parsers: any text gives a value or nothing, never an exception; versions order. */
class ParserProperties {
  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().withChars("0123456789.-+eEvT:Z").ofMaxLength(30),
        Arbitraries.of(
            "2026-13-45T99:99:99Z", "2026-01-01T00:00:00+25:00", "1e", "-", "1.2.3-", "1..2"));
  }

  @Property(tries = 3000)
  void anyTextParsesToAValueOrNothing(@ForAll("text") String text) {
    Double number = Operator.number(text);
    assertThat(number == null || Double.isFinite(number)).isTrue();
    Operator.instant(text);
    Semver.parse(text);
    FlagContext.Attribute attribute = new FlagContext.Attribute(text);
    if (number == null) {
      assertThat(attribute.number()).isNaN();
    } else {
      assertThat(attribute.number()).isEqualTo(number);
    }
  }

  @Provide
  Arbitrary<Semver> versions() {
    Arbitrary<String> identifier =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 20).map(String::valueOf),
            Arbitraries.of("alpha", "beta", "rc", "x-1"));
    Arbitrary<String> pre =
        identifier.list().ofMaxSize(3).map(ids -> ids.isEmpty() ? "" : "-" + String.join(".", ids));
    return Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 3),
            pre)
        .as((a, b, c, p) -> Semver.parse(a + "." + b + "." + c + p));
  }

  @Property(tries = 2000)
  void versionsAreTotallyOrdered(
      @ForAll("versions") Semver a, @ForAll("versions") Semver b, @ForAll("versions") Semver c) {
    assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
    if (a.compareTo(b) <= 0 && b.compareTo(c) <= 0) {
      assertThat(a.compareTo(c)).isLessThanOrEqualTo(0);
    }
    List<Semver> both = List.of(a, b);
    assertThat(a.compareTo(a)).isZero();
    assertThat(both).hasSize(2);
  }

  @Property(tries = 3000)
  void alphanumericPreReleasesOrderAsTheirText(
      @ForAll("alphanumeric") String a, @ForAll("alphanumeric") String b) {
    Semver left = Semver.parse("1.0.0-" + a);
    Semver right = Semver.parse("1.0.0-" + b);
    assertThat(Integer.signum(left.compareTo(right)))
        .as("%s against %s", a, b)
        .isEqualTo(Integer.signum(a.compareTo(b)));
  }

  @Provide
  Arbitrary<String> alphanumeric() {
    // Short ones are compared packed into a long, longer ones as text: both, and mixed.
    return Arbitraries.strings()
        .withChars("0123456789abcxyzABCXYZ-")
        .ofMinLength(1)
        .ofMaxLength(10)
        .filter(text -> !text.chars().allMatch(Character::isDigit));
  }
}
