package io.vcmctl.orchestrator.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A usage error a command finds after parsing (exit 2, as picocli's own). Typed as a plain
 * {@link RuntimeException} so that verifying an everyday command's class does not load picocli
 * from the end of the class path (opening every jar before it); only a failing command does.
 */
final class UsageErrors {

  private UsageErrors() {}

  static RuntimeException of(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
