package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text format 0.0.4: every line must be a {@code # HELP},
 * a {@code # TYPE} or a sample of the family typed just before it; anything else fails.
 */
final class TextExposition {

  /** One sample: its name, its labels in order, its value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Map<String, Set<String>> SUFFIXES = Map.of(
      "counter", Set.of("", "_total"),
      "gauge", Set.of(""),
      "untyped", Set.of(""),
      "histogram", Set.of("_bucket", "_count", "_sum"),
      "summary", Set.of("", "_count", "_sum"));

  final List<Sample> samples = new ArrayList<>();
  final Map<String, String> types = new LinkedHashMap<>();
  final Map<String, String> help = new LinkedHashMap<>();

  private TextExposition() {}

  static TextExposition parse(String text) {
    if (!text.endsWith("\n")) {
      fail("the exposition does not end with a line feed");
    }
    TextExposition e = new TextExposition();
    String family = null;
    int number = 0;
    for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
      number++;
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        e.help.put(m.group(1), m.group(2));
      } else if ((m = TYPE.matcher(line)).matches()) {
        family = m.group(1);
        if (e.types.put(family, m.group(2)) != null) {
          fail("line " + number + ": family " + family + " typed twice");
        }
      } else {
        Sample s = sample(line, number);
        String type = family == null ? null : e.types.get(family);
        if (type == null || !s.name().startsWith(family)
            || !SUFFIXES.get(type).contains(s.name().substring(family.length()))) {
          fail("line " + number + ": sample " + s.name() + " outside its family (last TYPE: " + family + ")");
        }
        e.samples.add(s);
      }
    }
    return e;
  }

  private static Sample sample(String line, int number) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!NAME.matcher(name).matches()) {
      fail("line " + number + ": not a sample: " + line);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf("=\"", i);
        if (eq < 0) {
          fail("line " + number + ": bad label in " + line);
        }
        String label = line.substring(i, eq);
        if (!LABEL.matcher(label).matches()) {
          fail("line " + number + ": bad label name '" + label + "'");
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(switch (next) {
              case 'n' -> '\n';
              case '\\' -> '\\';
              case '"' -> '"';
              default -> throw new AssertionError("line " + number + ": bad escape \\" + next);
            });
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          fail("line " + number + ": label " + label + " twice");
        }
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          fail("line " + number + ": expected , or } in " + line);
        }
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      fail("line " + number + ": no value in " + line);
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length > 2) {
      fail("line " + number + ": extra fields in " + line);
    }
    return new Sample(name, labels, number(rest[0], number));
  }

  private static double number(String text, int line) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new AssertionError("line " + line + ": not a number: " + text, e);
        }
      }
    };
  }

  /** The samples of this name whose labels include these pairs. */
  List<Sample> samples(String name, String... labelPairs) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (s.name().equals(name) && has(s, labelPairs)) {
        out.add(s);
      }
    }
    return out;
  }

  /** The value of the one sample of this name whose labels include these pairs. */
  double value(String name, String... labelPairs) {
    List<Sample> found = samples(name, labelPairs);
    assertEquals(1, found.size(), () -> name + " " + List.of(labelPairs) + ": " + found);
    return found.get(0).value();
  }

  private static boolean has(Sample s, String... labelPairs) {
    for (int i = 0; i < labelPairs.length; i += 2) {
      if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
        return false;
      }
    }
    return true;
  }
}
