package dev.ofsync.it.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.it.Checkout;
import dev.ofsync.it.PluginDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} is what the connectors in the built plugin zips define: each
 * connector is loaded from its unpacked zip in a class loader of its own (this module does not have
 * them on its classpath) and asked for {@link Connector#config()}, as the worker does.
 * With {@code -Dconfig.docs.write=true} the test writes the file instead of comparing it (and is
 * reported as skipped).
 */
class ConfigReferenceIT {
  private static final Path DOC = Checkout.root().resolve("docs/configuration.md");

  @Test
  void theCommittedReferenceMatchesTheConnectorsConfigDefs() throws Exception {
    try (PluginDirectory source = PluginDirectory.open("connector-source");
         PluginDirectory sink = PluginDirectory.open("connector-sink")) {
      String generated = ConfigReference.markdown(List.of(
          section("Oracle source connector", "dev.ofsync.source.OracleSourceConnector",
              "Reads Oracle tables by keyset pages (initial load, then changed rows) into Kafka topics.", source),
          section("Feishu Bitable sink connector", "dev.ofsync.sink.FeishuSinkConnector",
              "Writes each record as a row of a Feishu (Lark) Bitable, upserting by the record key.", sink)));

      if (Boolean.getBoolean("config.docs.write")) {
        Files.createDirectories(DOC.getParent());
        Files.writeString(DOC, generated, StandardCharsets.UTF_8);
        // a generator in this mode: it checks nothing, and says so instead of passing
        org.junit.jupiter.api.Assumptions.abort("wrote " + DOC.toAbsolutePath().normalize() + "; run without "
            + "-Dconfig.docs.write to check it");
      }
      assertThat(DOC).as("%s is missing; generate it: %s", DOC, ConfigReference.REGENERATE).exists();
      assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
          .as("%s differs from the connectors' ConfigDefs; regenerate it: %s", DOC, ConfigReference.REGENERATE)
          .isEqualTo(generated);
    }
  }

  private static ConfigReference.Section section(String title, String connectorClass, String summary,
      PluginDirectory plugin) throws ReflectiveOperationException {
    Connector connector = (Connector) plugin.loader().loadClass(connectorClass).getDeclaredConstructor().newInstance();
    ConfigDef def = connector.config();
    return new ConfigReference.Section(title, connectorClass, summary, def);
  }
}
