package dev.ofsync.launcher;

import java.util.List;

/**
 * Something the user can fix (a config mistake, an unreachable host, refused credentials): printed
 * as one line per problem, without a stack trace, and the launcher exits non-zero.
 */
public final class UserError extends Exception {
  private final List<String> problems;

  public UserError(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public UserError(String problem) {
    this(List.of(problem));
  }

  public UserError(String problem, Throwable cause) {
    super(problem, cause);
    this.problems = List.of(problem);
  }

  public List<String> problems() {
    return problems;
  }
}
