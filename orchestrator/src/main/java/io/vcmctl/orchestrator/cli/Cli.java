package io.vcmctl.orchestrator.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

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
    System.exit(execute(command, args));
  }

  /** What {@link #main} runs: an everyday command without picocli, anything else through it. */
  static int execute(Object command, String... args) {
    Everyday.Parsed everyday = Everyday.parse(command, args);
    return everyday == null ? run(command, args) : run(everyday);
  }

  /** An everyday command, parsed without picocli, fails as it would have failed under picocli. */
  private static int run(Everyday.Parsed everyday) {
    try {
      return everyday.command().call();
    } catch (Exception e) {
      return failed(e, new PrintWriter(System.err, true), everyday.verbose());
    }
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    if (!cmd.getSubcommands().isEmpty() && e.getMessage().startsWith("Missing required subcommand")) {
      // Only the program's (or a command group's) name: what it offers, as --help would say.
      cmd.usage(cmd.getOut());
      return 0;
    }
    PrintWriter err = cmd.getErr();
    err.println("ERROR: " + oneLine(e.getMessage()) + suggestions(e) + " (see '"
        + cmd.getCommandSpec().qualifiedName() + " --help')");
    if (verbose(cmd.getParseResult())) {
      e.printStackTrace(err);
    }
    err.flush();
    return USAGE;
  }

  /** picocli's guesses at a mistyped command or option, on the same line. */
  private static String suggestions(ParameterException e) {
    if (!(e instanceof UnmatchedArgumentException unmatched) || unmatched.getSuggestions().isEmpty()) {
      return "";
    }
    return "; did you mean " + String.join(" or ", unmatched.getSuggestions().stream()
        .map(s -> "'" + s + "'").toList()) + "?";
  }

  private static int failure(Exception e, CommandLine failed, ParseResult parsed) {
    return failed(e, failed.getErr(), verbose(parsed));
  }

  private static int failed(Exception e, PrintWriter err, boolean verbose) {
    String message = e instanceof CliException ? e.getMessage()
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    err.println("ERROR: " + oneLine(message));
    if (verbose) {
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
