package io.vcmctl.orchestrator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code orchestrator completion}: installs the bash completion scripts picocli generates for
 * the three programs, where bash-completion loads a command's script on first use; in zsh the
 * same script, sourced, sets up bashcompinit itself.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Installs bash and zsh completion for orchestrator, hsmadmin and vcmadmin.",
        "bash (with bash-completion) loads them by itself from the default directory; zsh: add"
            + " 'source DIR/vcmadmin' (and the others) to ~/.zshrc."})
final class CompletionCommand implements Callable<Integer> {

  @Option(names = "--dir", paramLabel = "DIR",
      defaultValue = "${env:XDG_DATA_HOME:-${sys:user.home}/.local/share}/bash-completion/completions",
      description = "Where to write the scripts (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Override
  public Integer call() {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CliException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    Map<String, Object> programs = Map.of("orchestrator", new OrchestratorCommand(), "hsmadmin",
        new HsmAdminCommand(), "vcmadmin", new VcmAdminCommand());
    for (String program : programs.keySet().stream().sorted().toList()) {
      Path script = dir.resolve(program);
      String text = AutoComplete.bash(program, new CommandLine(programs.get(program)));
      Inputs.write(script, text.getBytes(StandardCharsets.UTF_8), true);
      Out.line(program, script);
    }
    return 0;
  }
}
