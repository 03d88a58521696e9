package dev.ofsync.launcher.kafka;

import dev.ofsync.launcher.config.Validation;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;

/**
 * One Connect worker in distributed mode on the local Kafka: its configs, offsets and statuses sit
 * in Kafka topics (hence in the state directory), its REST API on a free local port. The
 * connectors come from the launcher's classpath.
 */
public final class LocalConnect implements AutoCloseable {
  private final Connect<?> connect;
  private final URI url;

  private LocalConnect(Connect<?> connect, URI url) {
    this.connect = connect;
    this.url = url;
  }

  public static LocalConnect start(String bootstrap) throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", "oracle-feishu-sync");
    props.put("config.storage.topic", "oracle-feishu-sync-configs");
    props.put("offset.storage.topic", "oracle-feishu-sync-offsets");
    props.put("status.storage.topic", "oracle-feishu-sync-status");
    props.put("config.storage.replication.factor", "1");
    props.put("offset.storage.replication.factor", "1");
    props.put("status.storage.replication.factor", "1");
    props.put("offset.storage.partitions", "1");
    props.put("status.storage.partitions", "1");
    props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    props.put("listeners", "http://127.0.0.1:" + LocalKafka.freePort());
    props.put("offset.flush.interval.ms", "1000");
    // A single worker: after an abrupt end, take the tasks back at once instead of waiting for the old worker.
    props.put("scheduled.rebalance.max.delay.ms", "0");
    props.put("plugin.discovery", "service_load");
    props.put("connector.client.config.override.policy", "All");
    props.put("config.providers", String.join(",", Validation.PROVIDERS.keySet()));
    Validation.PROVIDERS.forEach((name, type) -> props.put("config.providers." + name + ".class", type));
    Connect<?> connect = new ConnectDistributed().startConnect(props);
    return new LocalConnect(connect, connect.rest().advertisedUrl());
  }

  public URI url() {
    return url;
  }

  @Override
  public void close() {
    connect.stop();
    connect.awaitStop();
  }
}
