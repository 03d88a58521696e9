package dev.ofsync.emulator.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Figures that wall-clock noise on a shared machine does not blur: bytes allocated and CPU time
 * used by the emulator's threads and by the client's, plus the JVM's garbage collection and
 * process CPU, between two snapshots.
 *
 * <p>Threads are told apart by name: the emulator's HTTP pool ({@code feishu-emulator-http-*}) and
 * the JDK server's {@code HTTP-Dispatcher} are the server; {@code bench-*} and {@code HttpClient-*}
 * are the client. A thread that ends between the snapshots loses its counts; the pools here live
 * through the whole run.
 */
final class JvmMeter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  enum Role { SERVER, CLIENT, OTHER }

  /** Counters at one moment. */
  static final class Snapshot {
    final long nanoTime = System.nanoTime();
    final Map<Long, Long> allocated = new HashMap<>();
    final Map<Long, Long> cpu = new HashMap<>();
    final Map<Long, Role> roles = new HashMap<>();
    long gcCount;
    long gcMillis;
    long processCpuNanos = -1;
  }

  /** The difference between two snapshots. */
  record Delta(double seconds, long serverAllocated, long clientAllocated, long otherAllocated, long serverCpuNanos,
      long clientCpuNanos, long otherCpuNanos, long gcCount, long gcMillis, long processCpuNanos) {
    long allocated() {
      return serverAllocated + clientAllocated + otherAllocated;
    }

    /** CPU the JVM used outside Java threads: garbage collection, the JIT compilers and the VM's own threads. */
    long vmCpuNanos() {
      return processCpuNanos < 0 ? -1 : processCpuNanos - serverCpuNanos - clientCpuNanos - otherCpuNanos;
    }
  }

  private JvmMeter() {}

  static Snapshot snapshot() {
    Snapshot s = new Snapshot();
    long[] ids = THREADS.getAllThreadIds();
    long[] allocated = THREADS.getThreadAllocatedBytes(ids);
    long[] cpu = THREADS.getThreadCpuTime(ids);
    java.lang.management.ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] == null || allocated[i] < 0) {
        continue; // ended meanwhile
      }
      s.allocated.put(ids[i], allocated[i]);
      s.cpu.put(ids[i], Math.max(0, cpu[i]));
      s.roles.put(ids[i], role(infos[i].getThreadName()));
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      s.gcCount += Math.max(0, gc.getCollectionCount());
      s.gcMillis += Math.max(0, gc.getCollectionTime());
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      s.processCpuNanos = os.getProcessCpuTime();
    }
    return s;
  }

  static Delta between(Snapshot from, Snapshot to) {
    long[] alloc = new long[Role.values().length];
    long[] cpu = new long[Role.values().length];
    for (Map.Entry<Long, Long> e : to.allocated.entrySet()) {
      Role role = to.roles.get(e.getKey());
      alloc[role.ordinal()] += e.getValue() - from.allocated.getOrDefault(e.getKey(), 0L);
      cpu[role.ordinal()] += to.cpu.get(e.getKey()) - from.cpu.getOrDefault(e.getKey(), 0L);
    }
    return new Delta((to.nanoTime - from.nanoTime) / 1e9, alloc[Role.SERVER.ordinal()], alloc[Role.CLIENT.ordinal()],
        alloc[Role.OTHER.ordinal()], cpu[Role.SERVER.ordinal()], cpu[Role.CLIENT.ordinal()], cpu[Role.OTHER.ordinal()],
        to.gcCount - from.gcCount, to.gcMillis - from.gcMillis,
        from.processCpuNanos < 0 ? -1 : to.processCpuNanos - from.processCpuNanos);
  }

  private static Role role(String name) {
    if (name.startsWith("feishu-emulator-http") || name.startsWith("HTTP-Dispatcher")) {
      return Role.SERVER;
    }
    if (name.startsWith("bench-") || name.startsWith("HttpClient-")) {
      return Role.CLIENT;
    }
    return Role.OTHER;
  }
}
