package io.vcmctl.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/** The one table the harness prints: a row per figure, median and spread over its rounds. */
final class Table {

  /** How a figure is compared with its goal. */
  enum Goal { NONE, AT_MOST, AT_LEAST }

  record Row(String id, String figure, String value, String spread, String goal, String verdict) {}

  private final List<Row> rows = new ArrayList<>();
  private final boolean quick;

  /** @param quick a smoke run at small sizes, where the goals (set for full sizes) are not judged */
  Table(boolean quick) {
    this.quick = quick;
  }

  /** A figure measured in several rounds: median, and min–max when there was more than one. */
  void add(String id, String figure, double[] rounds, DoubleFunction<String> format, Goal goal, double target) {
    add(id, figure, rounds, format, goal, target, "rounds");
  }

  /** As above; {@code samples} names what was repeated ("rounds", "cycles"). */
  void add(String id, String figure, double[] rounds, DoubleFunction<String> format, Goal goal, double target,
      String samples) {
    double median = Samples.median(rounds);
    String spread = rounds.length > 1
        ? format.apply(Samples.min(rounds)) + " – " + format.apply(Samples.max(rounds)) + " (" + rounds.length + " "
            + samples + ")"
        : "1 sample";
    String verdict = quick && goal != Goal.NONE ? "n/a (quick)" : verdict(goal, target, median);
    rows.add(new Row(id, figure, format.apply(median), spread, goalText(goal, target, format), verdict));
  }

  /** A figure whose value and spread are already worked out (JMH iterations, a ratio, a worst case). */
  void add(String id, String figure, String value, String spread, String goal, String verdict) {
    rows.add(new Row(id, figure, value, spread, goal, verdict));
  }

  private static String verdict(Goal goal, double target, double value) {
    switch (goal) {
      case AT_MOST:
        return value <= target ? "met" : "MISSED";
      case AT_LEAST:
        return value >= target ? "met" : "MISSED";
      default:
        return "";
    }
  }

  private static String goalText(Goal goal, double target, DoubleFunction<String> format) {
    switch (goal) {
      case AT_MOST:
        return "≤ " + format.apply(target);
      case AT_LEAST:
        return "≥ " + format.apply(target);
      default:
        return "";
    }
  }

  /** Markdown, so that the run's output pastes into docs/benchmarks.md as it is. */
  void print(PrintStream out) {
    String[] header = {"#", "figure", "median", "spread (min – max)", "goal", "verdict"};
    int[] width = new int[header.length];
    List<String[]> lines = new ArrayList<>();
    lines.add(header);
    rows.forEach(r -> lines.add(new String[] {r.id(), r.figure(), r.value(), r.spread(), r.goal(), r.verdict()}));
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    for (int l = 0; l < lines.size(); l++) {
      out.println(line(lines.get(l), width));
      if (l == 0) {
        String[] rule = new String[width.length];
        for (int i = 0; i < width.length; i++) {
          rule[i] = "-".repeat(width[i]);
        }
        out.println(line(rule, width));
      }
    }
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      sb.append(' ').append(cells[i]).append(" ".repeat(width[i] - cells[i].length())).append(" |");
    }
    return sb.toString();
  }

  static String count(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static String ms(double v) {
    return String.format(Locale.ROOT, v < 10 ? "%.2f ms" : "%,.0f ms", v);
  }

  static String seconds(double v) {
    return String.format(Locale.ROOT, v < 10 ? "%.3f s" : "%.1f s", v);
  }

  static String ratio(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String kib(double v) {
    return String.format(Locale.ROOT, "%.1f KiB", v);
  }
}
