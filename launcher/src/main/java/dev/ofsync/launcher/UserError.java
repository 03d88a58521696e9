package dev.ofsync.launcher;

import java.util.List;

/**
 * Something the user can fix (a config mistake, refused credentials), or that is wrong around the
 * launcher rather than in what it was given ({@link #environment}: Kafka or Connect cannot start,
 * a Connect worker cannot be reached or does not answer in time): printed as one line per problem,
 * without a stack trace, and the launcher exits non-zero (2, or 3 for the environment).
 */
public final class UserError extends Exception {
  private final List<String> problems;
  private final boolean environment;

  public UserError(List<String> problems) {
    this(problems, false);
  }

  private UserError(List<String> problems, boolean environment) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
    this.environment = environment;
  }

  /**
   * The connectors' checks refused a config: a problem around the launcher (exit 3) when each one
   * is a database or Feishu that could not be reached, which a later run may find up; else the
   * config's (exit 2).
   */
  public static UserError refused(List<String> problems) {
    return new UserError(problems, problems.stream().allMatch(p -> p.contains("cannot reach ")));
  }

  public UserError(String problem) {
    this(List.of(problem));
  }

  public UserError(String problem, Throwable cause) {
    this(problem, cause, false);
  }

  private UserError(String problem, Throwable cause, boolean environment) {
    super(problem, cause);
    this.problems = List.of(problem);
    this.environment = environment;
  }

  /** A problem around the launcher, not in its config: the same run may work later (cron can retry it). */
  public static UserError environment(String problem, Throwable cause) {
    return new UserError(problem, cause, true);
  }

  public static UserError environment(String problem) {
    return new UserError(problem, null, true);
  }

  /** Whether the problem lies around the launcher (exit 3) rather than in its config or command line (exit 2). */
  public boolean inEnvironment() {
    return environment;
  }

  public List<String> problems() {
    return problems;
  }

  /**
   * A message of several lines (a YAML parser's, with where it stopped, the text there and a caret
   * under it) as one line: each line trimmed, those three and repeats dropped, the rest joined with ": ".
   */
  public static String oneLine(String message) {
    if (message == null || message.indexOf('\n') < 0) {
      return message;
    }
    return java.util.Arrays.stream(message.split("\\R")).map(String::trim)
        .filter(l -> !l.isEmpty() && !l.matches("\\^+") && !l.startsWith("in 'reader'")).distinct()
        .collect(java.util.stream.Collectors.joining(": "));
  }
}
