package dev.ofsync.it.compose;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/** What a plugin zip ships: the classes of the jars in it and their {@code META-INF/services} entries. */
record PluginZip(Path zip, Set<String> classes, Map<String, Set<String>> services) {

  static PluginZip read(Path zip) throws IOException {
    Set<String> classes = new HashSet<>();
    Map<String, Set<String>> services = new HashMap<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry entry : file.stream().toList()) {
        if (entry.getName().endsWith(".jar")) {
          try (ZipInputStream jar = new ZipInputStream(file.getInputStream(entry))) {
            readJar(jar, classes, services);
          }
        }
      }
    }
    return new PluginZip(zip, classes, services);
  }

  private static void readJar(ZipInputStream jar, Set<String> classes, Map<String, Set<String>> services)
      throws IOException {
    for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
      String name = e.getName();
      if (name.endsWith(".class")) {
        classes.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
      } else if (name.startsWith("META-INF/services/") && !e.isDirectory()) {
        Set<String> providers = services.computeIfAbsent(name.substring("META-INF/services/".length()), k -> new HashSet<>());
        for (String line : lines(jar)) {
          String provider = line.replaceFirst("#.*", "").trim();
          if (!provider.isEmpty()) {
            providers.add(provider);
          }
        }
      }
    }
  }

  /** The current entry's lines, leaving the stream open for the next entry. */
  private static Iterable<String> lines(InputStream entry) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(entry, StandardCharsets.UTF_8));
    return reader.lines().toList();
  }

  /** Whether the zip holds {@code className} and registers it as a {@code serviceType} (what service_load discovery needs). */
  boolean ships(String className, String serviceType) {
    return classes.contains(className) && services.getOrDefault(serviceType, Set.of()).contains(className);
  }
}
