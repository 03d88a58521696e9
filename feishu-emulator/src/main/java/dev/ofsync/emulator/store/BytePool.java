package dev.ofsync.emulator.store;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * A few byte arrays of 256 kB to 1 MiB, lent out and given back, for what every batch_create needs
 * for the length of one call: its body, its packed rows, its answer. New ones each call would be
 * half of all the garbage the emulator makes. At most {@link #KEPT} arrays are kept (32 MiB at most).
 */
public final class BytePool {
  static final int MIN = 256 * 1024;
  static final int MAX = 1024 * 1024;
  private static final int KEPT = 32;
  private static final ArrayBlockingQueue<byte[]> FREE = new ArrayBlockingQueue<>(KEPT);

  private BytePool() {}

  /** An array of at least {@code size} bytes, with whatever was left in it. */
  public static byte[] take(int size) {
    if (size <= MAX) {
      byte[] b = FREE.poll();
      if (b != null && b.length >= size) {
        return b;
      }
    }
    return new byte[Math.max(size, MIN)];
  }

  /** Gives an array back; one of a size the pool does not keep, or one too many, is left to the collector. */
  public static void give(byte[] b) {
    if (b != null && b.length >= MIN && b.length <= MAX) {
      FREE.offer(b);
    }
  }
}
