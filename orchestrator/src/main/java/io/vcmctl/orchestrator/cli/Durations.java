package io.vcmctl.orchestrator.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as the command lines write them: a positive whole number and s, m or h
 * ({@code 30s}, {@code 5m}, {@code 24h}), nothing else.
 */
final class Durations implements ITypeConverter<Duration> {

  private static final Pattern TEXT = Pattern.compile("([0-9]{1,9})([smh])");

  @Override
  public Duration convert(String value) {
    Matcher m = TEXT.matcher(value == null ? "" : value);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new TypeConversionException("'" + value + "' is not a duration; write a positive number and s, m or h,"
          + " such as 30s, 5m or 24h");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      default:
        return Duration.ofHours(n);
    }
  }
}
