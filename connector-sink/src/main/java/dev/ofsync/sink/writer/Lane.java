package dev.ofsync.sink.writer;

import dev.ofsync.sink.table.TableState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes waiting for one table, written by one thread at a time (Feishu takes one write per
 * table at a time). A batch goes as soon as it is full, when its oldest change has waited the
 * linger, or when a flush asks for it. Later changes of a waiting key replace the earlier one.
 */
final class Lane implements Runnable {
  /** What the lane asks of the writer. */
  interface Writer {
    /** Writes one batch; answers the changes to try again later (none when all went through). */
    List<Pending> write(Lane lane, List<Pending> batch) throws InterruptedException;

    /** Called when a waiting change was merged away: its place in the budget is free. */
    void merged(Pending older, Pending newer);

    void submit(Runnable lane);

    /** Whether a fatal error stopped writing. */
    boolean stopped();

    /** The lane's thread met something it cannot go on from (an error, a bug): writing must stop, and say why. */
    void died(Lane lane, Throwable cause);
  }

  final TableState table;
  private final Writer writer;
  private final int batchSize;
  private final long lingerNanos;
  private final long retryPauseNanos;
  private final LinkedHashMap<String, Pending> waiting = new LinkedHashMap<>();
  private long oldestNanos;
  private long notBeforeNanos = System.nanoTime();
  private boolean running;
  private boolean flushing;
  /** A batch is being written (between {@link #next} and the end of its write). */
  private boolean writing;
  private long writesDone;
  /** The write (its number, counted by writesDone) a rebalance stopped waiting for; -1: none. */
  private long abandonedWrite = -1;
  /** The keys of the batch last given back, queued first: the next batch is made of them alone. */
  private Set<String> retryGroup = Set.of();
  /** Later changes of keys of {@link #retryGroup}, queued once that batch has gone. */
  private final LinkedHashMap<String, Pending> held = new LinkedHashMap<>();

  Lane(TableState table, Writer writer, int batchSize, long lingerMs, long retryPauseMs) {
    this.table = table;
    this.writer = writer;
    this.batchSize = batchSize;
    this.lingerNanos = lingerMs * 1_000_000L;
    this.retryPauseNanos = retryPauseMs * 1_000_000L;
  }

  /** Queues a change, merging it with a waiting change of its key. */
  synchronized void add(Pending p) {
    if (retryGroup.contains(p.key) && waiting.containsKey(p.key)) {
      // the batch given back goes again exactly as it was (its client_token depends on it): a
      // later change of one of its keys waits beside it and joins the queue once it has gone
      Pending earlier = held.get(p.key);
      held.put(p.key, earlier == null ? p : earlier.replacedBy(p));
      if (earlier != null) {
        writer.merged(earlier, p);
      }
      wake();
      return;
    }
    Pending older = waiting.get(p.key);
    if (older != null) {
      waiting.put(p.key, older.replacedBy(p));
      writer.merged(older, p);
    } else {
      if (waiting.isEmpty()) {
        oldestNanos = System.nanoTime();
      }
      waiting.put(p.key, p);
    }
    wake();
  }

  /** Takes back the waiting change of a key (to move it to another table), or null. */
  synchronized Pending take(String key) {
    Pending later = held.remove(key);
    Pending p = waiting.remove(key);
    if (later == null) {
      return p;
    }
    if (p == null) {
      return later;
    }
    writer.merged(p, later);
    return p.replacedBy(later);
  }

  /** Queues the changes held back while their keys' given-back batch waited. */
  private void releaseHeld() {
    List<Pending> later = new ArrayList<>(held.values());
    held.clear();
    for (Pending p : later) {
      Pending older = waiting.get(p.key);
      if (older != null) {
        waiting.put(p.key, older.replacedBy(p));
        writer.merged(older, p);
      } else {
        waiting.put(p.key, p);
      }
    }
  }

  /** Takes back every waiting change that {@code which} selects. */
  synchronized List<Pending> takeAll(java.util.function.Predicate<Pending> which) {
    List<Pending> out = new ArrayList<>();
    for (Iterator<Pending> it = held.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (which.test(p)) {
        out.add(p);
        it.remove();
      }
    }
    for (Iterator<Pending> it = waiting.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (which.test(p)) {
        out.add(p);
        it.remove();
      }
    }
    notifyAll();
    return out;
  }

  /**
   * Waits until the batch being written now, if any, is done (true), or the deadline passes (false):
   * then that write is abandoned ({@link #writeAbandoned}).
   */
  synchronized boolean awaitWriteDone(long deadlineNanos) throws InterruptedException {
    long done = writesDone;
    while (writing && writesDone == done) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        abandonedWrite = done;
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Whether the rebalance that gave up the partitions of the write under way stopped waiting for it. */
  synchronized boolean writeAbandoned() {
    return writing && abandonedWrite == writesDone;
  }

  synchronized boolean holds(String key) {
    return waiting.containsKey(key) || held.containsKey(key);
  }

  /** Whether a batch of this lane is being written (or the lane is about to take one). */
  synchronized boolean writing() {
    return running;
  }

  synchronized int backlog() {
    return waiting.size() + held.size();
  }

  /** Writes what is waiting without waiting for the linger. */
  synchronized void flush() {
    flushing = true;
    wake();
  }

  /** Whether nothing waits and nothing is being written. */
  synchronized boolean idle() {
    return waiting.isEmpty() && held.isEmpty() && !running;
  }

  /** Waits until the lane is idle (true) or the deadline passes or writing stopped (false). */
  synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    while (!idle()) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || writer.stopped()) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  private void wake() {
    if (!running && !waiting.isEmpty()) {
      running = true;
      writer.submit(this);
    }
    notifyAll();
  }

  @Override
  public void run() {
    try {
      List<Pending> batch;
      while ((batch = next()) != null) {
        List<Pending> again = List.of();
        try {
          again = writer.write(this, batch);
        } finally {
          synchronized (this) {
            // what the write gives back waits again before the write counts as done: a partition
            // given up meanwhile (its owner waits for this write to end) finds its changes here
            if (!again.isEmpty()) {
              giveBack(again);
            }
            writing = false;
            writesDone++;
            notifyAll();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      synchronized (this) {
        running = false;
        notifyAll();
      }
    } catch (RuntimeException | Error e) {
      // without this the lane would stay "running" with nobody writing, and the task would only
      // see that Feishu takes no writes; its changes stay waiting, their offsets open
      writer.died(this, e); // logged there, with its trace: the thread ends quietly
      synchronized (this) {
        running = false;
        notifyAll();
      }
    }
  }

  /**
   * Queues again the changes of a write that did not all go through, first and together: the next
   * batch is made of them alone, so a create whose answer was lost is tried again as the same
   * rows, under the same client_token, and Feishu does not write them twice (in append mode no
   * key would find them). A key's later change stays the latest.
   */
  private void giveBack(List<Pending> again) {
    LinkedHashMap<String, Pending> front = new LinkedHashMap<>();
    for (Pending p : again) {
      Pending newer = waiting.remove(p.key);
      if (newer != null) {
        writer.merged(p, newer);
      }
      front.put(p.key, newer == null ? p : p.replacedBy(newer));
    }
    retryGroup = new HashSet<>(front.keySet());
    front.putAll(waiting);
    waiting.clear();
    waiting.putAll(front);
    quietUntil(System.nanoTime() + retryPauseNanos); // not sooner than a pause already set
    oldestNanos = System.nanoTime() - lingerNanos;
  }

  /** No write of this lane starts before {@code nanos} (System.nanoTime()). */
  synchronized void quietUntil(long nanos) {
    if (nanos - notBeforeNanos > 0) {
      notBeforeNanos = nanos;
    }
    notifyAll();
  }

  /** The next batch, waiting for it to fill up to the linger; null when the lane has nothing left. */
  private synchronized List<Pending> next() throws InterruptedException {
    while (true) {
      if (waiting.isEmpty() && !held.isEmpty()) {
        retryGroup = Set.of(); // the batch given back was taken elsewhere: what waited beside it goes now
        releaseHeld();
      }
      if (waiting.isEmpty() || writer.stopped()) {
        running = false;
        flushing = false;
        notifyAll();
        return null;
      }
      long now = System.nanoTime();
      long waitNanos = Math.max(notBeforeNanos - now,
          waiting.size() >= batchSize || flushing ? 0 : oldestNanos + lingerNanos - now);
      if (waitNanos <= 0) {
        List<Pending> batch = new ArrayList<>(Math.min(batchSize, waiting.size()));
        Iterator<Map.Entry<String, Pending>> it = waiting.entrySet().iterator();
        // a batch given back goes again as it was (what is left of it), nothing added
        boolean retrying = retryGroup.contains(waiting.keySet().iterator().next());
        while (it.hasNext() && batch.size() < batchSize) {
          Map.Entry<String, Pending> e = it.next();
          if (retrying && !retryGroup.contains(e.getKey())) {
            break;
          }
          batch.add(e.getValue());
          it.remove();
        }
        retryGroup = Set.of();
        releaseHeld();
        oldestNanos = now;
        writing = true;
        return batch;
      }
      wait(Math.max(1, waitNanos / 1_000_000));
    }
  }
}
