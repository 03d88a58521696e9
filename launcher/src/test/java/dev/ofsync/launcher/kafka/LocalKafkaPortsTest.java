package dev.ofsync.launcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker keeps its port between runs, so connector configs stored in Kafka stay valid. */
class LocalKafkaPortsTest {
  @TempDir
  Path state;

  @Test
  void theNextRunGetsThePortsOfThePreviousOne() throws Exception {
    Path file = state.resolve(LocalKafka.PORTS_FILE);
    int[] first = LocalKafka.ports(file);
    int[] second = LocalKafka.ports(file);

    assertThat(first[0]).isNotEqualTo(first[1]);
    assertThat(second).containsExactly(first[0], first[1]);
    assertThat(Files.readString(file)).contains("broker=" + first[0]).contains("controller=" + first[1]);
  }

  @Test
  void aPortTakenMeanwhileIsReplacedAndTheNewOneSaved() throws Exception {
    Path file = state.resolve(LocalKafka.PORTS_FILE);
    int[] first = LocalKafka.ports(file);
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress("127.0.0.1", first[0]));
      int[] second = LocalKafka.ports(file);

      assertThat(second[0]).isNotEqualTo(first[0]);
      assertThat(LocalKafka.ports(file)).containsExactly(second[0], second[1]);
    }
  }

  @Test
  void aDamagedFileIsReplaced() throws Exception {
    Path file = state.resolve(LocalKafka.PORTS_FILE);
    Files.writeString(file, "broker=not-a-port\ncontroller=70000\n");

    int[] ports = LocalKafka.ports(file);

    assertThat(ports[0]).isPositive();
    assertThat(Files.readString(file)).contains("broker=" + ports[0]);
  }
}
