package io.vcmctl.orchestrator.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs a command line the same way for all three programs: a refusal or failure is one line
 * {@code ERROR: …} on stderr and exit 1, a usage error is one line with a hint and exit 2, and
 * a stack trace only with {@code --verbose}.
 */
final class Cli {

  static final int FAILED = 1;
  static final int USAGE = 2;

  private Cli() {}

  static int run(Object command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setParameterExceptionHandler(Cli::usageError);
    cl.setExecutionExceptionHandler(Cli::failure);
    return cl.execute(args);
  }

  /** Runs and exits; the scripts' exit status is the command's. */
  static void main(Object command, String... args) {
    System.exit(run(command, args));
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("ERROR: " + oneLine(e.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName()
        + " --help')");
    if (verbose(cmd.getParseResult())) {
      e.printStackTrace(err);
    }
    err.flush();
    return USAGE;
  }

  private static int failure(Exception e, CommandLine failed, ParseResult parsed) {
    PrintWriter err = failed.getErr();
    String message = e instanceof CliException ? e.getMessage()
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    err.println("ERROR: " + oneLine(message));
    if (verbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return FAILED;
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** {@code --version}: the version in the jar's manifest, as Maven built it. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"vcm-orchestrator " + (version == null ? "(development build)" : version)};
    }
  }

  /** Messages may quote a server's or a library's text; the error stays on one line. */
  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
