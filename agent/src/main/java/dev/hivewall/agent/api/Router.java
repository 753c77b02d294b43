package dev.hivewall.agent.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Method + path pattern -> handler; {@code {name}} segments become path parameters. */
final class Router {
  /** What a handler gets. */
  record Request(
      String method,
      String path,
      Map<String, String> params,
      Map<String, String> query,
      String body,
      Map<String, String> headers) {
    String param(String name) {
      return params.get(name);
    }
  }

  @FunctionalInterface
  interface Handler {
    /** Returns the JSON body (any Jackson-serialisable value) of a 200 response. */
    Object handle(Request request);
  }

  private record Route(String method, Pattern pattern, List<String> names, Handler handler) {}

  private final List<Route> routes = new ArrayList<>();

  Router on(String method, String template, Handler handler) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\\{(\\w+)}").matcher(template);
    StringBuilder regex = new StringBuilder();
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
      names.add(m.group(1));
      last = m.end();
    }
    regex.append(Pattern.quote(template.substring(last)));
    routes.add(new Route(method, Pattern.compile(regex.toString()), names, handler));
    return this;
  }

  Object dispatch(
      String method,
      String path,
      Map<String, String> query,
      String body,
      Map<String, String> headers) {
    boolean pathKnown = false;
    for (Route r : routes) {
      Matcher m = r.pattern.matcher(path);
      if (m.matches()) {
        pathKnown = true;
        if (r.method.equals(method)) {
          Map<String, String> params = new java.util.HashMap<>();
          for (int i = 0; i < r.names.size(); i++) {
            params.put(
                r.names.get(i),
                java.net.URLDecoder.decode(
                    m.group(i + 1), java.nio.charset.StandardCharsets.UTF_8));
          }
          return r.handler.handle(new Request(method, path, params, query, body, headers));
        }
      }
    }
    throw pathKnown
        ? new ApiException(405, method + " is not allowed on " + path)
        : new ApiException(404, "no API path " + path + " (this agent serves /v1/...)");
  }
}
