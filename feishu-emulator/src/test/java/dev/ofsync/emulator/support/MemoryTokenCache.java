package dev.ofsync.emulator.support;

import com.lark.oapi.core.cache.ICache;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A token cache private to one SDK client. The SDK's default cache is a JVM-wide static keyed by
 * app id, so a token from one emulator (or from before a reset) would leak into another client.
 */
public final class MemoryTokenCache implements ICache {
  private record Entry(String value, long expiresAtNanos) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  @Override
  public String get(String key) {
    Entry e = entries.get(key);
    if (e == null) {
      return "";
    }
    if (System.nanoTime() - e.expiresAtNanos >= 0) {
      entries.remove(key, e);
      return "";
    }
    return e.value;
  }

  @Override
  public void set(String key, String value, int expire, TimeUnit unit) {
    entries.put(key, new Entry(value, System.nanoTime() + unit.toNanos(expire)));
  }

  /** Forgets every cached token. */
  public void clear() {
    entries.clear();
  }
}
