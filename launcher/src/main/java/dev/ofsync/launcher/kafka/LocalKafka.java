package dev.ofsync.launcher.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka (KRaft, broker and controller in one) whose log lives in the state directory,
 * so what Connect keeps in Kafka (source offsets, the sink's consumer offsets and key index, the
 * connectors' configs) is there on the next run: Kafka's offsets are the checkpoint. The directory
 * is formatted on first use. The launcher locks the directory first ({@code StateDirectory}): Kafka's
 * own lock is taken only after its controller has opened the metadata log.
 */
public final class LocalKafka implements AutoCloseable {
  private static final String CONTROLLER = "CONTROLLER";
  /** The ports of the last run, reused when free. */
  static final String PORTS_FILE = "kafka-ports.properties";

  private final KafkaRaftServer server;
  private final String bootstrap;

  private LocalKafka(KafkaRaftServer server, String bootstrap) {
    this.server = server;
    this.bootstrap = bootstrap;
  }

  public static LocalKafka start(Path dir) throws Exception {
    Path logs = dir.toAbsolutePath().resolve("kafka");
    Files.createDirectories(logs);
    int[] ports = ports(dir.toAbsolutePath().resolve(PORTS_FILE));
    int brokerPort = ports[0];
    int controllerPort = ports[1];
    Map<String, Object> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", CONTROLLER);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logs.toString());
    props.put("num.partitions", "1");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("log.retention.hours", "-1"); // the data topic is the replay log of a full resync
    // The sink's committed offsets are its checkpoint: Kafka drops those of a group without members
    // after 7 days by default, counted at the broker's next start too, so a launcher run from cron
    // every week or month would replay the whole topic each time. Kept for 100 years here.
    props.put("offsets.retention.minutes", String.valueOf(100L * 365 * 24 * 60));
    // The log cleaner (the sink's key index and Connect's topics are compacted) takes 128 MiB of heap
    // by default for its dedupe map; 16 MiB holds about 600,000 keys per pass (24 bytes each), and a pass covers what it can.
    props.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
    KafkaConfig config = new KafkaConfig(props, false);
    if (!Files.exists(logs.resolve("meta.properties"))) {
      new Formatter()
          .setNodeId(1)
          .setClusterId(Uuid.randomUuid().toString())
          .addDirectory(logs.toString())
          .setMetadataLogDirectory(logs.toString())
          .setControllerListenerName(CONTROLLER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      throw e;
    }
    return new LocalKafka(server, "127.0.0.1:" + brokerPort);
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  /**
   * The broker and controller ports of the previous run on this state directory when both are free,
   * else new ones (saved for the next run). The connectors' configs that Connect keeps in Kafka name
   * the broker (the sink's key index lives there), and the worker starts them from those configs
   * before this run deploys fresh ones: with the same port they start right away instead of
   * waiting on a broker that is gone.
   */
  static int[] ports(Path file) throws IOException {
    java.util.Properties saved = new java.util.Properties();
    if (Files.exists(file)) {
      try (java.io.Reader in = Files.newBufferedReader(file)) {
        saved.load(in);
      } catch (IOException | IllegalArgumentException e) {
        saved.clear();
      }
    }
    int broker = parsePort(saved.getProperty("broker"));
    int controller = parsePort(saved.getProperty("controller"));
    if (broker <= 0 || controller <= 0 || broker == controller || !free(broker) || !free(controller)) {
      broker = freePort();
      do {
        controller = freePort();
      } while (controller == broker);
      saved.setProperty("broker", String.valueOf(broker));
      saved.setProperty("controller", String.valueOf(controller));
      try (java.io.Writer out = Files.newBufferedWriter(file)) {
        saved.store(out, "ports of the embedded Kafka, reused by the next run when free");
      }
    }
    return new int[] {broker, controller};
  }

  private static int parsePort(String text) {
    try {
      int port = text == null ? -1 : Integer.parseInt(text.trim());
      return port > 0 && port < 65536 ? port : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
