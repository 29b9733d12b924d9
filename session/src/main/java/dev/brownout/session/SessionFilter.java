package dev.brownout.session;

import dev.brownout.core.admin.Problem;
import dev.brownout.core.internal.servlet.ProblemResponses;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * The servlet filter that puts every request's {@link HttpSession} in the store, so existing
 * session code works unchanged on any server. Map it first, on every path ({@code /*}), for {@code
 * REQUEST} dispatches.
 *
 * <p>The session is loaded on the first {@code getSession} (a request that never asks costs no
 * round trip), saved just before the response commits (so the next request, on any server, sees it)
 * and again when the request ends if it changed after that. A request whose save cannot be made is
 * never answered 200 or 500: the store down gets the {@link StoreDownPolicy}'s answer (a {@code
 * 503} problem+json of type {@value #PROBLEM_TYPE} when failing closed); a refused save ({@link
 * SessionConflict}) gets {@code brownout.session.conflict-status}, 409 by default, of type {@value
 * #CONFLICT_PROBLEM_TYPE}; a session grown past the store's record limit gets a {@code 413} of type
 * {@value #TOO_LARGE_PROBLEM_TYPE}, which no retry would change. In lock mode a request that cannot
 * take its session's lock in time gets a {@code 409} of type {@value #LOCK_PROBLEM_TYPE}.
 */
@SuppressWarnings("exports")
public final class SessionFilter implements Filter {
  /** The problem type of a request refused because the session store is down. */
  public static final String PROBLEM_TYPE =
      "https://brownout.dev/problems/session-store-unavailable";

  /** The problem type of a request whose session changes could not be saved. */
  public static final String CONFLICT_PROBLEM_TYPE =
      "https://brownout.dev/problems/session-conflict";

  /** The problem type of a request whose session would exceed the store's record limit. */
  public static final String TOO_LARGE_PROBLEM_TYPE =
      "https://brownout.dev/problems/session-too-large";

  /** The problem type of a request refused because its session is locked too long. */
  public static final String LOCK_PROBLEM_TYPE = "https://brownout.dev/problems/session-locked";

  private static final String APPLIED = SessionFilter.class.getName() + ".applied";

  private final Sessions sessions;

  SessionFilter(Sessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest http)
        || !(res instanceof HttpServletResponse out)
        || req.getAttribute(APPLIED) != null) {
      chain.doFilter(req, res);
      return;
    }
    req.setAttribute(APPLIED, Boolean.TRUE);
    SessionResponse response = new SessionResponse(out);
    RequestSession session = new RequestSession(sessions, http, response);
    response.session = session;
    if (!session.lockIfNeeded()) {
      problem(
          out,
          409,
          LOCK_PROBLEM_TYPE,
          "Session busy",
          "Another request of this session is still running; please retry.",
          http.getRequestURI());
      return;
    }
    try {
      chain.doFilter(new SessionRequest(http, session), response);
      RequestSession.Flush flushed = session.flush();
      if (flushed != RequestSession.Flush.SAVED && !out.isCommitted()) {
        response.refuse(flushed, http.getRequestURI());
      }
    } catch (IOException | ServletException | RuntimeException e) {
      if (storeDown(e) && !out.isCommitted()) {
        response.refuse(RequestSession.Flush.STORE_DOWN, http.getRequestURI());
        return;
      }
      if (causedBy(e, SessionIdReplacedException.class) && !out.isCommitted()) {
        response.refuse(RequestSession.Flush.CONFLICT, http.getRequestURI());
        return;
      }
      throw e;
    } finally {
      session.unlock();
    }
  }

  private static boolean storeDown(Throwable e) {
    return causedBy(e, SessionStoreUnavailableException.class);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private void problem(
      HttpServletResponse out, int status, String type, String title, String detail, String path)
      throws IOException {
    out.resetBuffer();
    ProblemResponses.send(
        out,
        new Problem(URI.create(type), title, status, detail, path, Map.of()),
        sessions.retryAfter());
    out.flushBuffer();
  }

  /**
   * The answer to a request whose session could not be saved, for a problem without Retry-After.
   */
  private static void finalProblem(
      HttpServletResponse out,
      int status,
      String type,
      String title,
      String detail,
      String path,
      Map<String, Object> extensions)
      throws IOException {
    out.resetBuffer();
    ProblemResponses.send(
        out, new Problem(URI.create(type), title, status, detail, path, extensions));
    out.flushBuffer();
  }

  private static String conflictDetail(SessionConflict conflict) {
    return switch (conflict.kind()) {
      case ATTRIBUTES ->
          "Another request changed the same session data first, so nothing of this request's"
              + " session changes was saved; please retry.";
      case RETRIES_EXHAUSTED ->
          "Other requests kept changing this session, so this request's session changes were not"
              + " saved; please retry.";
      case GONE ->
          "Your session ended while this request ran (signed out or expired), so its changes"
              + " were not saved.";
      case ROTATED ->
          "Your session was signed in or out while this request ran, under the session id it"
              + " had before; nothing of this request's session changes was saved. Please retry.";
      case HELD_OVERWRITTEN -> "This request's session changes were not saved; please retry.";
    };
  }

  /** The request as the application sees it: its sessions come from the store. */
  private static final class SessionRequest extends HttpServletRequestWrapper {
    private final RequestSession session;

    SessionRequest(HttpServletRequest request, RequestSession session) {
      super(request);
      this.session = session;
    }

    @Override
    public HttpSession getSession(boolean create) {
      return session.getSession(create);
    }

    @Override
    public HttpSession getSession() {
      return session.getSession(true);
    }

    @Override
    public String changeSessionId() {
      return session.changeSessionId();
    }

    @Override
    public String getRequestedSessionId() {
      return session.requestedId();
    }

    @Override
    public boolean isRequestedSessionIdValid() {
      return session.requestedIdValid();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
      return session.requestedIdFromCookie();
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
      return false;
    }
  }

  /**
   * The response as the application sees it: the session is saved just before anything commits it.
   * If that save must fail closed, the application's response is replaced by the 503 and what it
   * writes afterwards is discarded.
   */
  private final class SessionResponse extends HttpServletResponseWrapper {
    private final HttpServletResponse response;
    RequestSession session;
    private boolean flushedAtCommit;
    private boolean replaced;
    private long written;
    private long contentLength = -1;
    private ServletOutputStream stream;
    private PrintWriter writer;

    SessionResponse(HttpServletResponse response) {
      super(response);
      this.response = response;
    }

    /** Saves before the response commits; replaces the response if the save cannot be made. */
    void beforeCommit() throws IOException {
      if (flushedAtCommit || replaced || response.isCommitted()) {
        return;
      }
      flushedAtCommit = true;
      RequestSession.Flush flushed = session.flush();
      if (flushed != RequestSession.Flush.SAVED) {
        refuse(flushed, null);
      }
    }

    /** Replaces the application's response with the answer to an unsaved session. */
    void refuse(RequestSession.Flush flushed, String path) throws IOException {
      if (replaced || response.isCommitted()) {
        return;
      }
      switch (flushed) {
        case STORE_DOWN -> {
          replaced = true;
          response.reset();
          problem(
              response,
              503,
              PROBLEM_TYPE,
              "Session store unavailable",
              "Your session cannot be reached right now, so nothing was changed; please retry"
                  + " shortly.",
              path);
        }
        case CONFLICT -> {
          int status = sessions.conflictStatus();
          if (status < 400) {
            return; // the application asked to keep its own answer
          }
          replaced = true;
          response.reset();
          SessionConflict conflict = session.conflict();
          finalProblem(
              response,
              status,
              CONFLICT_PROBLEM_TYPE,
              "Session changes not saved",
              conflict == null
                  ? "This request's session changes could not be saved; please retry."
                  : conflictDetail(conflict),
              path,
              conflict == null
                  ? Map.of()
                  : Map.of("reason", conflict.kind().name().toLowerCase(Locale.ROOT)));
        }
        case TOO_LARGE -> {
          replaced = true;
          response.reset();
          finalProblem(
              response,
              413,
              TOO_LARGE_PROBLEM_TYPE,
              "Session too large",
              "This request would make the session larger than the session store keeps, so"
                  + " nothing of its session changes was saved.",
              path,
              Map.of());
        }
        case SAVED -> {}
      }
    }

    private void counting(long bytes) throws IOException {
      written += bytes;
      if ((contentLength >= 0 && written >= contentLength) || written >= getBufferSize()) {
        beforeCommit();
      }
    }

    @Override
    public void setContentLength(int length) {
      super.setContentLength(length);
      contentLength = length;
    }

    @Override
    public void setContentLengthLong(long length) {
      super.setContentLengthLong(length);
      contentLength = length;
    }

    // Frameworks set the length as a header too (Spring writes its HttpHeaders this way): the
    // container commits when that many bytes are written, so the save must come before.
    @Override
    public void setHeader(String name, String value) {
      super.setHeader(name, value);
      noteLength(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
      super.addHeader(name, value);
      noteLength(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
      super.setIntHeader(name, value);
      noteLength(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
      super.addIntHeader(name, value);
      noteLength(name, Integer.toString(value));
    }

    private void noteLength(String name, String value) {
      if ("Content-Length".equalsIgnoreCase(name) && value != null) {
        try {
          contentLength = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
          // Not a length the container can use either; the buffer size still bounds the save.
        }
      }
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
      beforeCommit();
      if (!replaced) {
        super.sendError(sc, msg);
      }
    }

    @Override
    public void sendError(int sc) throws IOException {
      beforeCommit();
      if (!replaced) {
        super.sendError(sc);
      }
    }

    @Override
    public void sendRedirect(String location) throws IOException {
      beforeCommit();
      if (!replaced) {
        super.sendRedirect(location);
      }
    }

    @Override
    public void flushBuffer() throws IOException {
      beforeCommit();
      if (!replaced) {
        super.flushBuffer();
      }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (stream == null) {
        stream = new SavingStream(super.getOutputStream());
      }
      return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (writer == null) {
        PrintWriter container = super.getWriter();
        writer =
            new PrintWriter(
                new Writer() {
                  @Override
                  public void write(char[] chars, int off, int len) throws IOException {
                    // A char is at most 3 bytes in UTF-8: counting 3 saves early rather than late.
                    counting(3L * len);
                    if (!replaced) {
                      container.write(chars, off, len);
                    }
                  }

                  @Override
                  public void flush() throws IOException {
                    beforeCommit();
                    if (!replaced) {
                      container.flush();
                    }
                  }

                  @Override
                  public void close() throws IOException {
                    beforeCommit();
                    if (!replaced) {
                      container.close();
                    }
                  }
                });
      }
      return writer;
    }

    /** Counts bytes and saves before the write that would commit; discards after a 503. */
    private final class SavingStream extends ServletOutputStream {
      private final ServletOutputStream delegate;

      SavingStream(ServletOutputStream delegate) {
        this.delegate = delegate;
      }

      @Override
      public void write(int b) throws IOException {
        counting(1);
        if (!replaced) {
          delegate.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        counting(len);
        if (!replaced) {
          delegate.write(b, off, len);
        }
      }

      @Override
      public void flush() throws IOException {
        beforeCommit();
        if (!replaced) {
          delegate.flush();
        }
      }

      @Override
      public void close() throws IOException {
        beforeCommit();
        if (!replaced) {
          delegate.close();
        }
      }

      @Override
      public boolean isReady() {
        return delegate.isReady();
      }

      @Override
      public void setWriteListener(WriteListener listener) {
        delegate.setWriteListener(listener);
      }
    }
  }
}
