package io.vcmctl.orchestrator.cli;

import io.vcmctl.hsm.SpeedRating;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Strict converters for the values the command lines take. */
final class Converters {

  private static final Pattern UUID_TEXT = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern ESN_TEXT = Pattern.compile("[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}");

  private Converters() {}

  /** Whether {@link Uuid} takes this text; plain, so that the everyday path needs no picocli class. */
  static boolean isUuid(String value) {
    return UUID_TEXT.matcher(value).matches();
  }

  /** A VCM UUID in its full 8-4-4-4-12 form ({@link UUID#fromString} alone accepts {@code 1-2-3-4-5}). */
  static final class Uuid implements ITypeConverter<UUID> {
    @Override
    public UUID convert(String value) {
      if (!isUuid(value)) {
        throw new TypeConversionException("'" + value + "' is not a VCM UUID such as"
            + " 4f9d05b8-95f4-41ab-8b0a-0c9c7ce14209 (list VCMs with vcmadmin show)");
      }
      return UUID.fromString(value);
    }
  }

  /** An ESN such as {@code 5E4D-03E0-D947}, in upper case as the HSM reports it. */
  static final class Esn implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String upper = value.strip().toUpperCase(Locale.ROOT);
      if (!ESN_TEXT.matcher(upper).matches()) {
        throw new TypeConversionException("'" + value + "' is not an ESN such as 5E4D-03E0-D947"
            + " (hsmadmin info shows it)");
      }
      return upper;
    }
  }

  static final class Speed implements ITypeConverter<SpeedRating> {
    @Override
    public SpeedRating convert(String value) {
      return SpeedRating.parse(value).orElseThrow(() -> new TypeConversionException(
          "'" + value + "' is not a speed rating; use base, mid or high"));
    }
  }

  /** An ISO-8601 time with its zone: {@code 2025-01-31T12:00:00Z} or {@code 2025-01-31T13:00:00+01:00}. */
  static final class Time implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeException e) {
        throw new TypeConversionException("'" + value + "' is not an ISO-8601 time with a zone, such as"
            + " 2025-01-31T12:00:00Z");
      }
    }
  }
}
