package dev.brownout.flags;

/** A rule: if every condition holds, its serve decides. */
record CompiledRule(CompiledCondition[] conditions, CompiledServe serve) {
  boolean matches(FlagContext context) {
    for (CompiledCondition condition : conditions) {
      if (!condition.matches(context)) {
        return false;
      }
    }
    return true;
  }
}
