package io.vcmctl.orchestrator.cli;

/**
 * A command that could not be carried out: the message is the one line printed after
 * {@code ERROR: }, and the process exits 1. Usage errors are picocli's
 * {@link picocli.CommandLine.ParameterException} instead, which exit 2.
 */
public final class CliException extends RuntimeException {

  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
