/** HTTP sessions kept in a {@code StateStore}, so any server can serve any request. */
module dev.brownout.session {
  requires transitive dev.brownout.state;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires org.slf4j;
  // The host container provides the servlet API.
  requires static jakarta.servlet;

  exports dev.brownout.session;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.session.internal.SessionDeclarations;
}
