package io.vcmctl.orchestrator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * Writes a man page for each program and each of its commands ({@code vcmadmin-stop.1}) from
 * the same picocli model that prints {@code --help}, so that the two never disagree. The build
 * runs it (orchestrator/pom.xml) into {@code target/man/man1}; read one with
 * {@code man -l orchestrator/target/man/man1/vcmadmin.1}.
 */
public final class ManPages {

  private ManPages() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]));
    for (Object program : List.of(new OrchestratorCommand(), new HsmAdminCommand(), new VcmAdminCommand())) {
      write(dir, new CommandLine(program));
    }
  }

  private static void write(Path dir, CommandLine command) throws IOException {
    String name = command.getCommandSpec().qualifiedName("-");
    String[] description = command.getCommandSpec().usageMessage().description();
    StringBuilder page = new StringBuilder()
        .append(".TH \"").append(name.toUpperCase(Locale.ROOT)).append("\" \"1\" \"\" \"vcm-orchestrator\"")
        .append(" \"VCM orchestrator\"\n")
        .append(".SH NAME\n")
        .append(escape(name)).append(" \\- ").append(escape(description.length == 0 ? "" : description[0]))
        .append("\n.SH SYNOPSIS AND OPTIONS\n.nf\n");
    command.getUsageMessage(Ansi.OFF).lines().forEach(line -> page.append(escape(line)).append('\n'));
    page.append(".fi\n");
    if (command.getParent() != null) {
      page.append(".SH SEE ALSO\n").append(escape(command.getParent().getCommandSpec().qualifiedName("-")))
          .append("(1)\n");
    }
    Files.writeString(dir.resolve(name + ".1"), page, StandardCharsets.UTF_8);
    // An alias maps to the same command: one page, under the command's own name.
    for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        write(dir, sub);
      }
    }
  }

  /** roff: a backslash is {@code \e}; a line must not start with a control character. */
  private static String escape(String text) {
    String escaped = text.replace("\\", "\\e");
    return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
  }
}
