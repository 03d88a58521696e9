package dev.ofsync.it.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A docker-compose.yml read the way {@code docker compose} reads the parts this project uses:
 * short-syntax ports and volumes, map-style environment, list-style commands, and
 * {@code ${VAR:-default}} interpolation. Interpolation uses the defaults, as in a shell where none
 * of the variables is set, so what the tests check does not depend on who runs them.
 */
final class ComposeFile {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

  private final Path file;
  private final JsonNode root;

  private ComposeFile(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  static ComposeFile read(Path file) throws IOException {
    return new ComposeFile(file, new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
  }

  Path file() {
    return file;
  }

  /** The directory relative bind mounts start from. */
  Path projectDir() {
    return file.toAbsolutePath().getParent();
  }

  List<String> serviceNames() {
    List<String> names = new ArrayList<>();
    root.path("services").fieldNames().forEachRemaining(names::add);
    return names;
  }

  Service service(String name) {
    JsonNode node = root.path("services").path(name);
    if (!node.isObject()) {
      throw new AssertionError(file + " has no service " + name + "; it has " + serviceNames());
    }
    return new Service(name, node);
  }

  List<String> namedVolumes() {
    List<String> names = new ArrayList<>();
    root.path("volumes").fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** {@code ${VAR:-default}} and {@code ${VAR}} as with none of the variables set; {@code $$} is a literal {@code $}. */
  static String interpolate(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group().equals("$$") ? "$" : (m.group(2) == null ? "" : m.group(2));
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  /** {@code "host:container"} or {@code "ip:host:container"}, numbers only (no ranges). */
  record PortMapping(int host, int container) {
    static PortMapping parse(String spec) {
      String[] parts = interpolate(spec).replaceFirst("/tcp$", "").split(":");
      if (parts.length < 2) {
        throw new AssertionError("port " + spec + " publishes no fixed host port");
      }
      return new PortMapping(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]));
    }
  }

  /** {@code source:target[:mode]}; a source starting with '.' or '/' is a host path, anything else a named volume. */
  record Mount(String source, String target, boolean readOnly) {
    static Mount parse(String spec) {
      String[] parts = interpolate(spec).split(":");
      if (parts.length < 2 || parts.length > 3) {
        throw new AssertionError("volume " + spec + " is not source:target[:mode]");
      }
      return new Mount(parts[0], parts[1], parts.length == 3 && parts[2].equals("ro"));
    }

    boolean isHostPath() {
      return source.startsWith(".") || source.startsWith("/");
    }
  }

  final class Service {
    private final String name;
    private final JsonNode node;

    private Service(String name, JsonNode node) {
      this.name = name;
      this.node = node;
    }

    String name() {
      return name;
    }

    String image() {
      return node.path("image").asText(null);
    }

    String hostname() {
      return node.path("hostname").asText(name);
    }

    List<PortMapping> ports() {
      List<PortMapping> ports = new ArrayList<>();
      node.path("ports").forEach(p -> ports.add(PortMapping.parse(p.asText())));
      return ports;
    }

    /** The mapping that publishes {@code containerPort}. */
    PortMapping port(int containerPort) {
      return ports().stream().filter(p -> p.container() == containerPort).findFirst().orElseThrow(() ->
          new AssertionError("service " + name + " does not publish container port " + containerPort + ": " + ports()));
    }

    List<Mount> mounts() {
      List<Mount> mounts = new ArrayList<>();
      node.path("volumes").forEach(v -> mounts.add(Mount.parse(v.asText())));
      return mounts;
    }

    /** The host path mounted at {@code target}, or at the directory holding it. */
    Optional<Path> hostPathOf(String target) {
      for (Mount m : mounts()) {
        if (m.isHostPath() && (target.equals(m.target()) || target.startsWith(m.target() + "/"))) {
          Path source = projectDir().resolve(m.source()).normalize();
          return Optional.of(target.equals(m.target()) ? source : source.resolve(target.substring(m.target().length() + 1)));
        }
      }
      return Optional.empty();
    }

    /** The environment as written (uninterpolated), in file order. */
    Map<String, String> rawEnvironment() {
      Map<String, String> env = new LinkedHashMap<>();
      JsonNode e = node.path("environment");
      if (e.isArray()) {
        throw new AssertionError("service " + name + ": write environment as a map");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = e.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        env.put(entry.getKey(), entry.getValue().asText());
      }
      return env;
    }

    Map<String, String> environment() {
      Map<String, String> env = new LinkedHashMap<>();
      rawEnvironment().forEach((k, v) -> env.put(k, interpolate(v)));
      return env;
    }

    /** The command as written (uninterpolated). */
    List<String> rawCommand() {
      List<String> command = new ArrayList<>();
      JsonNode c = node.path("command");
      if (!c.isArray()) {
        throw new AssertionError("service " + name + ": write command as a list");
      }
      c.forEach(a -> command.add(a.asText()));
      return command;
    }

    List<String> command() {
      return rawCommand().stream().map(ComposeFile::interpolate).toList();
    }

    /** The value after {@code flag} in the command. */
    String commandOption(String flag) {
      List<String> command = command();
      int i = command.indexOf(flag);
      if (i < 0 || i + 1 >= command.size()) {
        throw new AssertionError("service " + name + " passes no " + flag + ": " + command);
      }
      return command.get(i + 1);
    }

    String rawCommandOption(String flag) {
      List<String> command = rawCommand();
      return command.get(command.indexOf(flag) + 1);
    }

    List<String> dependsOn() {
      List<String> names = new ArrayList<>();
      node.path("depends_on").fieldNames().forEachRemaining(names::add);
      return names;
    }
  }
}
