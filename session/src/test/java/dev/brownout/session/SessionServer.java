package dev.brownout.session;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.RemoteIpValve;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 server running the session filter in front of a servlet that does to its session
 * what the query says: {@code set=name:value}, {@code incr=name} (a counter), {@code
 * pad=name:bytes} (a large value), {@code remove=name}, {@code login=user}, {@code rotate}, {@code
 * invalidate}, {@code slow=millis} (a pause after the changes, to widen races), {@code peek} (no
 * session is created), {@code big} (a body larger than the response buffer). It answers with the
 * session's attributes, one {@code name=value} line each, sorted, and says in {@code
 * X-Session-Loaded} whether the id the client sent named a session. It honours {@code
 * X-Forwarded-Proto}, as behind a load balancer.
 */
final class SessionServer implements AutoCloseable {
  private static final Pattern COOKIE = Pattern.compile("SESSION=([^;]*)");
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final AutoCloseable container;
  private final int port;

  /** On Jetty 12. */
  SessionServer(Sessions sessions) {
    try {
      Server server = new Server();
      HttpConfiguration config = new HttpConfiguration();
      config.addCustomizer(new ForwardedRequestCustomizer());
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/app");
      context.addFilter(
          new FilterHolder(sessions.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
      context.addServlet(new ServletHolder(new Scripted()), "/s");
      server.setHandler(context);
      server.start();
      port = connector.getLocalPort();
      container = server::stop;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private SessionServer(AutoCloseable container, int port) {
    this.container = container;
    this.port = port;
  }

  /** The same application on Tomcat 11, the filter mapped as a web.xml would map it. */
  static SessionServer tomcat(Sessions sessions) {
    try {
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(Files.createTempDirectory("brownout-tomcat").toString());
      Connector connector = new Connector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      tomcat.getService().addConnector(connector);
      tomcat.setConnector(connector);
      Context context = tomcat.addContext("/app", null);
      FilterDef filter = new FilterDef();
      filter.setFilterName("sessions");
      filter.setFilter(sessions.filter());
      context.addFilterDef(filter);
      FilterMap map = new FilterMap();
      map.setFilterName("sessions");
      map.addURLPattern("/*");
      map.setDispatcher(DispatcherType.REQUEST.name());
      context.addFilterMap(map);
      Tomcat.addServlet(context, "scripted", new Scripted()).addMapping("/s");
      // As behind a load balancer: X-Forwarded-Proto makes the request secure.
      RemoteIpValve forwarded = new RemoteIpValve();
      forwarded.setInternalProxies(".*");
      forwarded.setProtocolHeader("X-Forwarded-Proto");
      context.getPipeline().addValve(forwarded);
      tomcat.start();
      return new SessionServer(
          () -> {
            tomcat.stop();
            tomcat.destroy();
          },
          connector.getLocalPort());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  URI uri(String query) {
    return URI.create("http://127.0.0.1:" + port + "/app/s" + (query.isEmpty() ? "" : "?" + query));
  }

  /** A response, with the session id the server set, if it set one. */
  record Reply(int status, String body, HttpResponse<String> raw) {
    /** The last id the server set: a request that rotates sets two. */
    Optional<String> newId() {
      Optional<String> last = Optional.empty();
      for (String cookie : raw.headers().allValues("Set-Cookie")) {
        Matcher m = COOKIE.matcher(cookie);
        if (m.find() && !m.group(1).isEmpty()) {
          last = Optional.of(m.group(1));
        }
      }
      return last;
    }

    List<String> setCookies() {
      return raw.headers().allValues("Set-Cookie");
    }
  }

  Reply get(String query, String sessionId) {
    return send(query, sessionId == null ? null : "SESSION=" + sessionId, List.of());
  }

  Reply send(String query, String cookieHeader, List<String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(query)).timeout(Duration.ofSeconds(30));
    if (cookieHeader != null) {
      request.header("Cookie", cookieHeader);
    }
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      request.header(headers.get(i), headers.get(i + 1));
    }
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      container.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every {@link Bound} value unbound, by name, in order. */
  static final List<String> UNBOUND = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A value that wants to know when it leaves a session. */
  record Bound(String name) implements HttpSessionBindingListener {
    @Override
    public void valueUnbound(HttpSessionBindingEvent event) {
      UNBOUND.add(name);
    }

    @Override
    public String toString() {
      return "bound:" + name;
    }
  }

  /** Does what the query says to the session. */
  static final class Scripted extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      if (request.getParameter("late") != null) {
        response.setContentType("text/plain; charset=utf-8");
        response.flushBuffer();
        try {
          request.getSession(true);
          response.getWriter().write("created");
        } catch (IllegalStateException e) {
          response.getWriter().write(e.getMessage());
        }
        return;
      }
      if (request.getParameter("none") != null) {
        write(response, "untouched");
        return;
      }
      if (request.getParameter("newcheck") != null) {
        HttpSession session = request.getSession();
        response.setContentType("text/plain; charset=utf-8");
        response.flushBuffer();
        response.getWriter().write("new=" + session.isNew());
        return;
      }
      if (request.getParameter("renew") != null) {
        // Sign-out that starts the visitor over: the old session goes, a new one begins.
        request.getSession().invalidate();
        request.getSession(true).setAttribute("fresh", "yes");
        write(response, "renewed");
        return;
      }
      if (request.getParameter("peek") != null) {
        HttpSession existing = request.getSession(false);
        write(response, existing == null ? "none" : dump(existing));
        return;
      }
      response.setHeader("X-Session-Loaded", Boolean.toString(request.isRequestedSessionIdValid()));
      HttpSession session = request.getSession();
      for (String set : values(request, "set")) {
        int colon = set.indexOf(':');
        session.setAttribute(set.substring(0, colon), set.substring(colon + 1));
      }
      for (String name : values(request, "incr")) {
        Object value = session.getAttribute(name);
        int count = value == null ? 0 : Integer.parseInt(value.toString());
        session.setAttribute(name, Integer.toString(count + 1));
      }
      for (String pad : values(request, "pad")) {
        int colon = pad.indexOf(':');
        session.setAttribute(
            pad.substring(0, colon), "x".repeat(Integer.parseInt(pad.substring(colon + 1))));
      }
      for (String name : values(request, "bind")) {
        session.setAttribute(name, new Bound(name));
      }
      for (String name : values(request, "remove")) {
        session.removeAttribute(name);
      }
      for (String user : values(request, "login")) {
        request.changeSessionId();
        Sessions.bindPrincipal(request.getSession(), user);
      }
      if (request.getParameter("rotate") != null) {
        request.changeSessionId();
      }
      if (request.getParameter("slow") != null) {
        try {
          Thread.sleep(Long.parseLong(request.getParameter("slow")));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (request.getParameter("invalidate") != null) {
        session.invalidate();
        write(response, "invalidated");
        return;
      }
      if (request.getParameter("big") != null) {
        response.setContentType("text/plain; charset=utf-8");
        response.getWriter().write("x".repeat(64 * 1024));
        session.setAttribute("after-commit", "late");
        return;
      }
      if (request.getParameter("sized") != null) {
        // As Spring MVC 7 answers: the length as a header, then exactly that many bytes.
        byte[] body = dump(session).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setContentType("text/plain; charset=utf-8");
        response.setHeader("Content-Length", Integer.toString(body.length));
        response.getOutputStream().write(body);
        return;
      }
      write(response, dump(session));
    }

    private static List<String> values(HttpServletRequest request, String name) {
      String[] values = request.getParameterValues(name);
      return values == null ? List.of() : List.of(values);
    }

    private static String dump(HttpSession session) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      for (String name : Collections.list(session.getAttributeNames())) {
        // A name can outlive its value: an attribute that no longer decodes reads as null.
        Object value = session.getAttribute(name);
        if (value != null) {
          sorted.put(name, value);
        }
      }
      List<String> lines = new ArrayList<>();
      sorted.forEach((name, value) -> lines.add(name + "=" + value));
      return String.join("\n", lines);
    }

    private static void write(HttpServletResponse response, String body) throws IOException {
      response.setContentType("text/plain; charset=utf-8");
      response.getWriter().write(body);
    }
  }
}
