/** The contract suite that every {@code StateStore} implementation extends and must pass. */
module dev.brownout.state.testkit {
  requires transitive dev.brownout.state;
  requires transitive org.junit.jupiter.api;
  requires transitive net.jqwik.api;
  requires org.assertj.core;

  exports dev.brownout.state.testkit;
}
