package dev.ofsync.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One plugin directory under {@code plugin.path} (our zips unpack to {@code <module>-<version>/lib/*.jar},
 * Debezium's archive to jars side by side), opened in a class loader of its own whose parent gives
 * the Kafka API, as a worker's plugin isolation does.
 */
public final class PluginDirectory implements AutoCloseable {
  private final Path dir;
  private final URLClassLoader loader;

  private PluginDirectory(Path dir, URLClassLoader loader) {
    this.dir = dir;
    this.loader = loader;
  }

  /** The unpacked zip of {@code module} (e.g. {@code connector-sink}) at this build's version. */
  public static PluginDirectory open(String module) throws IOException {
    Path plugins = Path.of(System.getProperty("plugin.path", "target/plugins"));
    return of(plugins.resolve(module + "-" + Checkout.version()));
  }

  /** Every jar under {@code dir}, at any depth, as the worker collects a plugin's jars. */
  public static PluginDirectory of(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(dir + " is missing: mvn verify unpacks the plugins before the ITs");
    }
    List<URL> jars;
    try (Stream<Path> files = Files.walk(dir)) {
      jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().map(PluginDirectory::url).toList();
    }
    if (jars.isEmpty()) {
      throw new IllegalStateException("no jars under " + dir);
    }
    return new PluginDirectory(dir, new URLClassLoader(jars.toArray(URL[]::new), PluginDirectory.class.getClassLoader()));
  }

  private static URL url(Path p) {
    try {
      return p.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  public ClassLoader loader() {
    return loader;
  }

  @Override
  public void close() throws IOException {
    loader.close();
  }
}
