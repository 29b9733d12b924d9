package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The lists of units evaluation checks against: every listed unit found, nothing else. */
class UnitTableProperties {

  @Property(tries = 300)
  void findsExactlyTheListedUnits(
      @ForAll @Size(max = 40) Map<String, @IntRange(min = 0, max = 9) Integer> listed,
      @ForAll @Size(max = 40) Set<String> probes) {
    UnitTable table = UnitTable.of(listed);

    assertThat(table.isEmpty()).isEqualTo(listed.isEmpty());
    for (Map.Entry<String, Integer> unit : listed.entrySet()) {
      assertThat(table.find(unit.getKey(), unit.getKey().hashCode())).isEqualTo(unit.getValue());
    }
    for (String probe : probes) {
      int expected = listed.getOrDefault(probe, UnitTable.ABSENT);
      assertThat(table.find(probe, probe.hashCode())).isEqualTo(expected);
    }
  }

  @Example
  void aUnitWhoseHashIsZeroAndUnitsThatShareAHashAreToldApart() {
    // "f5a5a608".hashCode() == 0, the value that marks an empty place in the table's hashes;
    // "Aa" and "BB" share a hash, and 1 is what a hash of 0 is stored as.
    assertThat("f5a5a608".hashCode()).isZero();
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    Map<String, Integer> listed = new HashMap<>();
    listed.put("f5a5a608", 3);
    listed.put("Aa", 4);
    UnitTable table = UnitTable.of(listed);

    assertThat(table.find("f5a5a608", 0)).isEqualTo(3);
    assertThat(table.find("Aa", "Aa".hashCode())).isEqualTo(4);
    assertThat(table.find("BB", "BB".hashCode())).isEqualTo(UnitTable.ABSENT);
    assertThat(table.find("", 0)).isEqualTo(UnitTable.ABSENT);
    assertThat(table.find("x", 1)).isEqualTo(UnitTable.ABSENT);
  }
}
