package dev.ofsync.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The plugin zip a user unzips into plugin.path: the connector jar with its service entry (a
 * worker with plugin.discovery=service_load finds nothing without it), the Oracle driver, and no
 * Kafka jars (the worker's own must win).
 */
class PluginZipIT {
  private static Path zip() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(p -> p.getFileName().toString().matches("connector-source-.*\\.zip")).findFirst()
          .orElseThrow(() -> new AssertionError("no plugin zip in target/; run mvn package"));
    }
  }

  @Test
  void thePluginZipHoldsTheConnectorItsServiceEntryAndTheDriver() throws Exception {
    List<String> names = new ArrayList<>();
    String service = null;
    try (ZipFile zip = new ZipFile(zip().toFile())) {
      for (ZipEntry e : zip.stream().toList()) {
        names.add(e.getName());
        if (e.getName().matches(".*/lib/connector-source-[^/]*\\.jar")) {
          service = serviceEntry(zip.getInputStream(e));
        }
      }
    }
    assertThat(names).anyMatch(n -> n.matches(".*/lib/ojdbc10-[^/]*\\.jar"));
    assertThat(names).anyMatch(n -> n.endsWith("/manifest.json"));
    assertThat(names).noneMatch(n -> n.contains("/lib/kafka") || n.contains("/lib/connect-") || n.contains("/lib/slf4j"));
    assertThat(names).noneMatch(n -> n.contains("/lib/h2-"));
    assertThat(service).as("META-INF/services entry").isNotNull();
    assertThat(service.trim()).isEqualTo(OracleSourceConnector.class.getName());
  }

  private static String serviceEntry(InputStream jar) throws IOException {
    try (ZipInputStream in = new ZipInputStream(jar)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals("META-INF/services/org.apache.kafka.connect.source.SourceConnector")) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    return null;
  }
}
