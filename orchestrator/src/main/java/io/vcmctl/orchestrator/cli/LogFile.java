package io.vcmctl.orchestrator.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --log-file FILE}: the daemon's log lines go to FILE, appended, instead of stderr,
 * in the same format. A new file is owner-only, as the data directory is.
 */
final class LogFile {

  private static final String CONSOLE = "STDERR";

  private LogFile() {}

  static void use(Path file) {
    createOwnerOnly(file);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> console = root.getAppender(CONSOLE);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(console instanceof OutputStreamAppender<ILoggingEvent> stream
        && stream.getEncoder() instanceof PatternLayoutEncoder configured ? configured.getPattern()
        : "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{36} - %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("FILE");
    appender.setFile(file.toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    appender.start();
    if (!appender.isStarted()) {
      throw new CliException("cannot write the log to " + file);
    }
    root.addAppender(appender);
    root.detachAppender(CONSOLE);
  }

  private static void createOwnerOnly(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      // Appended to, as a log is.
    } catch (IOException e) {
      throw new CliException("cannot write the log to " + file + ": " + e.getMessage(), e);
    }
  }
}
