package dev.ofsync.launcher.run;

import dev.ofsync.launcher.UserError;

/** Waiting with a deadline for the Connect worker to reach a state. */
final class Waits {
  private Waits() {}

  interface Check {
    boolean done() throws UserError;
  }

  interface Attempt<T> {
    T call() throws UserError;
  }

  static void until(String what, int seconds, Check check) throws UserError, InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!check.done()) {
      if (System.nanoTime() > deadline) {
        throw UserError.environment("gave up waiting " + seconds + " s for " + what);
      }
      Thread.sleep(200);
    }
  }

  /** Retries a call that the worker may refuse for a moment (a 409 or 400 while a group empties). */
  static <T> T retrying(String what, int seconds, Attempt<T> attempt) throws UserError, InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (true) {
      try {
        return attempt.call();
      } catch (UserError e) {
        if (System.nanoTime() > deadline) {
          String problem = "could not " + what + " within " + seconds + " s: " + e.getMessage();
          throw e.inEnvironment() ? UserError.environment(problem, e) : new UserError(problem, e);
        }
        Thread.sleep(500);
      }
    }
  }
}
