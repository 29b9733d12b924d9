/** HTTP sessions kept in a {@code StateStore}, so any server can serve any request. */
// Filled by its own issue; it exports its API package once that package has types.
module dev.brownout.session {
  requires transitive dev.brownout.state;
  requires static jakarta.servlet;
}
