package dev.ofsync.launcher.run;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Reads the connectors' metrics from this JVM's MBean server, where the embedded worker publishes
 * them ({@code kafka.connect:...,connector=<name>,task=<n>}): the source's rows read and caught-up
 * time, the sink's rows written, Feishu calls and table fill, the worker's own task metrics.
 */
final class Jmx {
  private static final ObjectName DOMAIN = pattern("kafka.connect:*");
  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  private static ObjectName pattern(String text) {
    try {
      return new ObjectName(text);
    } catch (javax.management.MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The sum of a numeric attribute over the connector's MBeans that have it; -1 when none has. */
  long sum(String connector, String attribute) {
    long total = 0;
    boolean found = false;
    for (Object value : values(connector, attribute)) {
      if (value instanceof Number n) {
        total += n.longValue();
        found = true;
      }
    }
    return found ? total : -1;
  }

  /** The smallest value of a numeric attribute over the connector's tasks; -1 when none has it. */
  long min(String connector, String attribute) {
    long min = Long.MAX_VALUE;
    for (Object value : values(connector, attribute)) {
      if (value instanceof Number n) {
        min = Math.min(min, n.longValue());
      }
    }
    return min == Long.MAX_VALUE ? -1 : min;
  }

  /** Text attributes (gauges) of the connector's MBeans. */
  List<String> texts(String connector, String attribute) {
    List<String> out = new ArrayList<>();
    for (Object value : values(connector, attribute)) {
      if (value != null) {
        out.add(value.toString());
      }
    }
    return out;
  }

  private List<Object> values(String connector, String attribute) {
    List<Object> out = new ArrayList<>();
    String sanitized = org.apache.kafka.common.utils.Sanitizer.jmxSanitize(connector);
    for (ObjectName name : server.queryNames(DOMAIN, null)) {
      if (sanitized.equals(name.getKeyProperty("connector"))) {
        addIfPresent(out, name, attribute);
      }
    }
    return out;
  }

  private void addIfPresent(List<Object> out, ObjectName name, String attribute) {
    try {
      out.add(server.getAttribute(name, attribute));
    } catch (javax.management.AttributeNotFoundException | javax.management.InstanceNotFoundException e) {
      // not this MBean's metric, or the task just went away
    } catch (javax.management.MBeanException | javax.management.ReflectionException e) {
      // a gauge that failed to compute: treat as absent this time
    }
  }
}
