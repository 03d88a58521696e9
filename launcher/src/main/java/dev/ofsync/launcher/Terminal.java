package dev.ofsync.launcher;

/** Whether the launcher writes to a person at a terminal, who gets a progress line redrawn in place. */
final class Terminal {
  private Terminal() {}

  /**
   * True when standard input and output are a terminal. {@code System.console()} alone says so on
   * JDK 22 to 24 even when the output goes to a file (cron's {@code >> sync.log}), which would fill
   * the file with redrawn lines; from JDK 22 {@code Console.isTerminal()} tells.
   */
  static boolean interactive() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // JDK 17 to 21: a console exists only for a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
