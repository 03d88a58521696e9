package dev.ofsync.launcher.config;

import dev.ofsync.sink.FeishuSinkConnector;
import dev.ofsync.source.OracleSourceConnector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.connect.connector.Connector;

/**
 * The connectors' own validation, run here before anything is deployed: each problem as one line
 * naming its key. Secrets written as config-provider references ({@code ${env:VAR}},
 * {@code ${file:/path/secrets.properties:key}}, {@code ${directory:/run/secrets:name}}) are
 * resolved the way the worker will resolve them, so a variable that is not set is reported too.
 */
public final class Validation {
  /** The providers the embedded worker is configured with, by the name used in references. */
  public static final Map<String, String> PROVIDERS = Map.of(
      "env", EnvVarConfigProvider.class.getName(),
      "file", FileConfigProvider.class.getName(),
      "directory", DirectoryConfigProvider.class.getName());

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(\\w+):([^}]*)}");

  private Validation() {}

  /** Problems of both connectors' configurations; empty when both would start. */
  public static List<String> problems(PipelineConfig config, String bootstrap) {
    List<String> problems = new ArrayList<>();
    Map<String, String> source = resolve(config.sourceConfig(), problems);
    Map<String, String> sink = resolve(config.sinkConfig(bootstrap), problems);
    if (!problems.isEmpty()) {
      return problems;
    }
    problems.addAll(validate(new OracleSourceConnector(), source));
    problems.addAll(validate(new FeishuSinkConnector(), sink));
    return problems;
  }

  /** The problems as the connectors will see them: on the cluster at {@code remote}, else here. */
  public static List<String> problemsWhereTheyRun(PipelineConfig config, java.net.URI remote)
      throws dev.ofsync.launcher.UserError {
    return remote != null ? problemsOnCluster(new dev.ofsync.launcher.kafka.ConnectRest(remote), config,
        config.bootstrapServers()) : problems(config, null);
  }

  /**
   * Problems of both connectors' configurations as the Connect cluster sees them: its workers
   * resolve the secrets' references and sign in to Oracle and Feishu from where the connectors
   * will run, not from this machine.
   */
  public static List<String> problemsOnCluster(dev.ofsync.launcher.kafka.ConnectRest rest, PipelineConfig config,
      String bootstrap) throws dev.ofsync.launcher.UserError {
    List<String> problems = new ArrayList<>();
    Map<String, String> source = new LinkedHashMap<>(config.sourceConfig());
    source.put("name", config.sourceName());
    problems.addAll(rest.validate(source.get("connector.class"), source));
    Map<String, String> sink = new LinkedHashMap<>(config.sinkConfig(bootstrap));
    sink.put("name", config.sinkName());
    problems.addAll(rest.validate(sink.get("connector.class"), sink));
    return problems;
  }

  /** Resolves provider references as a worker does; each one that cannot be resolved becomes a problem. */
  public static Map<String, String> resolve(Map<String, String> config, List<String> problems) {
    Map<String, ConfigProvider> providers = new HashMap<>();
    for (Map.Entry<String, String> e : PROVIDERS.entrySet()) {
      try {
        ConfigProvider p = (ConfigProvider) Class.forName(e.getValue()).getDeclaredConstructor().newInstance();
        p.configure(Map.of());
        providers.put(e.getKey(), p);
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException("config provider " + e.getValue() + " missing from the classpath", ex);
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    ConfigTransformer transformer = new ConfigTransformer(providers);
    for (Map.Entry<String, String> e : config.entrySet()) {
      String value = e.getValue();
      if (value == null || !REFERENCE.matcher(value).find()) {
        out.put(e.getKey(), value);
        continue;
      }
      try {
        String resolved = transformer.transform(Map.of(e.getKey(), value)).data().get(e.getKey());
        Matcher left = REFERENCE.matcher(resolved);
        if (left.find()) {
          problems.add(e.getKey() + ": " + unresolved(left.group(1), left.group(2)));
        }
        out.put(e.getKey(), resolved);
      } catch (ConfigException ex) {
        problems.add(e.getKey() + ": cannot resolve " + value + ": " + ex.getMessage());
      }
    }
    providers.values().forEach(p -> {
      try {
        p.close();
      } catch (Exception ignored) {
        // nothing held open
      }
    });
    return out;
  }

  private static String unresolved(String provider, String path) {
    switch (provider) {
      case "env":
        return "environment variable " + path + " is not set (export it, or write the value in the config file)";
      case "file":
      case "directory":
        return "${" + provider + ":" + path + "}: no such key in that file (check the path and the key after the last ':')";
      default:
        return "${" + provider + ":" + path + "}: unknown config provider '" + provider + "' (use env, file or directory)";
    }
  }

  /** One line per distinct problem: keys sharing a message (login refused: user and password) are named together. */
  static List<String> validate(Connector connector, Map<String, String> config) {
    Map<String, List<String>> keysByMessage = new LinkedHashMap<>();
    for (ConfigValue value : connector.validate(config).configValues()) {
      List<String> messages = value.errorMessages();
      for (int i = 0; i < messages.size(); i++) {
        String message = messages.get(i);
        if (i > 0 && message.startsWith("Invalid value null")) {
          continue; // the echo of a value that did not parse: its first message says it all
        }
        keysByMessage.computeIfAbsent(message, m -> new ArrayList<>()).add(value.name());
      }
    }
    List<String> out = new ArrayList<>();
    keysByMessage.forEach((message, keys) -> out.add(String.join(", ", keys) + ": " + message));
    return out;
  }
}
