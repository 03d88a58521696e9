package dev.ofsync.source.schema;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Period;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Oracle INTERVAL text ({@code +01 02:03:04.500000}, {@code +01-02}) as ISO-8601 durations. */
public final class IntervalText {
  private static final Pattern DAY_SECOND = Pattern.compile("([+-])?(\\d+) (\\d+):(\\d+):(\\d+)(\\.\\d+)?");
  private static final Pattern YEAR_MONTH = Pattern.compile("([+-])?(\\d+)-(\\d+)");
  /** H2 writes {@code INTERVAL '1 02:03:04' DAY TO SECOND}; the quoted part is Oracle's form. */
  private static final Pattern SQL_LITERAL = Pattern.compile("INTERVAL\\s+'([^']*)'.*", Pattern.CASE_INSENSITIVE);

  private IntervalText() {}

  public static String toIso(String text) {
    if (text == null) {
      return null;
    }
    String s = text.trim();
    Matcher literal = SQL_LITERAL.matcher(s);
    if (literal.matches()) {
      s = literal.group(1).trim();
    }
    Matcher ds = DAY_SECOND.matcher(s);
    if (ds.matches()) {
      BigDecimal seconds = new BigDecimal(ds.group(5) + (ds.group(6) == null ? "" : ds.group(6)));
      Duration d = Duration.ofDays(Long.parseLong(ds.group(2))).plusHours(Long.parseLong(ds.group(3)))
          .plusMinutes(Long.parseLong(ds.group(4)))
          .plusSeconds(seconds.longValue())
          .plusNanos(seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
      return ("-".equals(ds.group(1)) ? d.negated() : d).toString();
    }
    Matcher ym = YEAR_MONTH.matcher(s);
    if (ym.matches()) {
      Period p = Period.of(Integer.parseInt(ym.group(2)), Integer.parseInt(ym.group(3)), 0);
      return ("-".equals(ym.group(1)) ? p.negated() : p).toString();
    }
    return text;
  }
}
